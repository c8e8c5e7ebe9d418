using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// The AVX-512 micro-kernel: an (8, 48) tile of C held in 24 zmm accumulators. Each step loads
/// three B vectors and broadcasts eight A values: 24 FMAs for 11 loads, enough independent
/// chains (24 ≥ 2 FMA pipes × 4 cycles latency) to keep both FMA pipes busy.
/// </summary>
internal readonly unsafe struct GemmKernel512 : IGemmKernel
{
    public static int MR => 8;
    public static int Lanes => 16;
    public static int NR => 48;
    // Measured on Zen 5 (48 KiB L1, 1 MiB L2): a deep K block halves the passes over C against
    // KC = 256; the B micro-panel (KC, 48) then streams from L2, which keeps up (≈ 16 B/cycle).
    public static int KC => 512;
    public static int MC => 96;   // A block (96, 512): 192 KiB of L2
    public static int NC => 3072; // B block (512, 3072): 6 MiB of L3

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<TRows, TCols>(int kc, float* a, float* b, float* c, nint ldc, bool load)
        where TRows : struct, ICount
        where TCols : struct, ICount
    {
        int rows = TRows.Value, cols = TCols.Value;
        Vector512<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default;
        Vector512<float> c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
        if (load)
        {
            float* r = c;
            c00 = Vector512.Load(r); if (cols > 1) c01 = Vector512.Load(r + 16); if (cols > 2) c02 = Vector512.Load(r + 32);
            if (rows > 1) { r += ldc; c10 = Vector512.Load(r); if (cols > 1) c11 = Vector512.Load(r + 16); if (cols > 2) c12 = Vector512.Load(r + 32); }
            if (rows > 2) { r += ldc; c20 = Vector512.Load(r); if (cols > 1) c21 = Vector512.Load(r + 16); if (cols > 2) c22 = Vector512.Load(r + 32); }
            if (rows > 3) { r += ldc; c30 = Vector512.Load(r); if (cols > 1) c31 = Vector512.Load(r + 16); if (cols > 2) c32 = Vector512.Load(r + 32); }
            if (rows > 4) { r += ldc; c40 = Vector512.Load(r); if (cols > 1) c41 = Vector512.Load(r + 16); if (cols > 2) c42 = Vector512.Load(r + 32); }
            if (rows > 5) { r += ldc; c50 = Vector512.Load(r); if (cols > 1) c51 = Vector512.Load(r + 16); if (cols > 2) c52 = Vector512.Load(r + 32); }
            if (rows > 6) { r += ldc; c60 = Vector512.Load(r); if (cols > 1) c61 = Vector512.Load(r + 16); if (cols > 2) c62 = Vector512.Load(r + 32); }
            if (rows > 7) { r += ldc; c70 = Vector512.Load(r); if (cols > 1) c71 = Vector512.Load(r + 16); if (cols > 2) c72 = Vector512.Load(r + 32); }
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadAligned(b);
            var b1 = cols > 1 ? Vector512.LoadAligned(b + 16) : default;
            var b2 = cols > 2 ? Vector512.LoadAligned(b + 32) : default;
            Vector512<float> x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); if (cols > 1) c01 = Vector512.FusedMultiplyAdd(x, b1, c01); if (cols > 2) c02 = Vector512.FusedMultiplyAdd(x, b2, c02);
            if (rows > 1) { x = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); if (cols > 1) c11 = Vector512.FusedMultiplyAdd(x, b1, c11); if (cols > 2) c12 = Vector512.FusedMultiplyAdd(x, b2, c12); }
            if (rows > 2) { x = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); if (cols > 1) c21 = Vector512.FusedMultiplyAdd(x, b1, c21); if (cols > 2) c22 = Vector512.FusedMultiplyAdd(x, b2, c22); }
            if (rows > 3) { x = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); if (cols > 1) c31 = Vector512.FusedMultiplyAdd(x, b1, c31); if (cols > 2) c32 = Vector512.FusedMultiplyAdd(x, b2, c32); }
            if (rows > 4) { x = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); if (cols > 1) c41 = Vector512.FusedMultiplyAdd(x, b1, c41); if (cols > 2) c42 = Vector512.FusedMultiplyAdd(x, b2, c42); }
            if (rows > 5) { x = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); if (cols > 1) c51 = Vector512.FusedMultiplyAdd(x, b1, c51); if (cols > 2) c52 = Vector512.FusedMultiplyAdd(x, b2, c52); }
            if (rows > 6) { x = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); if (cols > 1) c61 = Vector512.FusedMultiplyAdd(x, b1, c61); if (cols > 2) c62 = Vector512.FusedMultiplyAdd(x, b2, c62); }
            if (rows > 7) { x = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); if (cols > 1) c71 = Vector512.FusedMultiplyAdd(x, b1, c71); if (cols > 2) c72 = Vector512.FusedMultiplyAdd(x, b2, c72); }
            a += 8;
            b += 48;
        }
        {
            float* r = c;
            c00.Store(r); if (cols > 1) c01.Store(r + 16); if (cols > 2) c02.Store(r + 32);
            if (rows > 1) { r += ldc; c10.Store(r); if (cols > 1) c11.Store(r + 16); if (cols > 2) c12.Store(r + 32); }
            if (rows > 2) { r += ldc; c20.Store(r); if (cols > 1) c21.Store(r + 16); if (cols > 2) c22.Store(r + 32); }
            if (rows > 3) { r += ldc; c30.Store(r); if (cols > 1) c31.Store(r + 16); if (cols > 2) c32.Store(r + 32); }
            if (rows > 4) { r += ldc; c40.Store(r); if (cols > 1) c41.Store(r + 16); if (cols > 2) c42.Store(r + 32); }
            if (rows > 5) { r += ldc; c50.Store(r); if (cols > 1) c51.Store(r + 16); if (cols > 2) c52.Store(r + 32); }
            if (rows > 6) { r += ldc; c60.Store(r); if (cols > 1) c61.Store(r + 16); if (cols > 2) c62.Store(r + 32); }
            if (rows > 7) { r += ldc; c70.Store(r); if (cols > 1) c71.Store(r + 16); if (cols > 2) c72.Store(r + 32); }
        }
    }
}
