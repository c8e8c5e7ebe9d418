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

    public static int ShortPanels => 4;

    /// <summary>
    /// One or two rows across four column panels (192 columns): up to 24 accumulators, where a
    /// single-panel tile of one row has only 3 chains for a 4-cycle FMA latency on two pipes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TileShort<TRows>(int kc, float* a, float* b0, nint panelStride, float* c, nint ldc, bool load)
        where TRows : struct, ICount
    {
        int rows = TRows.Value;
        Vector512<float> c000 = default, c001 = default, c002 = default, c010 = default, c011 = default, c012 = default;
        Vector512<float> c020 = default, c021 = default, c022 = default, c030 = default, c031 = default, c032 = default;
        Vector512<float> c100 = default, c101 = default, c102 = default, c110 = default, c111 = default, c112 = default;
        Vector512<float> c120 = default, c121 = default, c122 = default, c130 = default, c131 = default, c132 = default;
        if (load)
        {
            c000 = Vector512.Load(c + 0); c001 = Vector512.Load(c + 16); c002 = Vector512.Load(c + 32);
            c010 = Vector512.Load(c + 48); c011 = Vector512.Load(c + 64); c012 = Vector512.Load(c + 80);
            c020 = Vector512.Load(c + 96); c021 = Vector512.Load(c + 112); c022 = Vector512.Load(c + 128);
            c030 = Vector512.Load(c + 144); c031 = Vector512.Load(c + 160); c032 = Vector512.Load(c + 176);
            if (rows > 1) { c100 = Vector512.Load(c + ldc + 0); c101 = Vector512.Load(c + ldc + 16); c102 = Vector512.Load(c + ldc + 32); }
            if (rows > 1) { c110 = Vector512.Load(c + ldc + 48); c111 = Vector512.Load(c + ldc + 64); c112 = Vector512.Load(c + ldc + 80); }
            if (rows > 1) { c120 = Vector512.Load(c + ldc + 96); c121 = Vector512.Load(c + ldc + 112); c122 = Vector512.Load(c + ldc + 128); }
            if (rows > 1) { c130 = Vector512.Load(c + ldc + 144); c131 = Vector512.Load(c + ldc + 160); c132 = Vector512.Load(c + ldc + 176); }
        }
        float* b1 = b0 + panelStride, b2 = b1 + panelStride, b3 = b2 + panelStride;
        for (int p = 0; p < kc; p++)
        {
            var a0 = Vector512.Create(a[0]);
            var a1 = rows > 1 ? Vector512.Create(a[1]) : default;
            {
                var x0 = Vector512.LoadAligned(b0); var x1 = Vector512.LoadAligned(b0 + 16); var x2 = Vector512.LoadAligned(b0 + 32);
                c000 = Vector512.FusedMultiplyAdd(a0, x0, c000); c001 = Vector512.FusedMultiplyAdd(a0, x1, c001); c002 = Vector512.FusedMultiplyAdd(a0, x2, c002);
                if (rows > 1) { c100 = Vector512.FusedMultiplyAdd(a1, x0, c100); c101 = Vector512.FusedMultiplyAdd(a1, x1, c101); c102 = Vector512.FusedMultiplyAdd(a1, x2, c102); }
            }
            {
                var x0 = Vector512.LoadAligned(b1); var x1 = Vector512.LoadAligned(b1 + 16); var x2 = Vector512.LoadAligned(b1 + 32);
                c010 = Vector512.FusedMultiplyAdd(a0, x0, c010); c011 = Vector512.FusedMultiplyAdd(a0, x1, c011); c012 = Vector512.FusedMultiplyAdd(a0, x2, c012);
                if (rows > 1) { c110 = Vector512.FusedMultiplyAdd(a1, x0, c110); c111 = Vector512.FusedMultiplyAdd(a1, x1, c111); c112 = Vector512.FusedMultiplyAdd(a1, x2, c112); }
            }
            {
                var x0 = Vector512.LoadAligned(b2); var x1 = Vector512.LoadAligned(b2 + 16); var x2 = Vector512.LoadAligned(b2 + 32);
                c020 = Vector512.FusedMultiplyAdd(a0, x0, c020); c021 = Vector512.FusedMultiplyAdd(a0, x1, c021); c022 = Vector512.FusedMultiplyAdd(a0, x2, c022);
                if (rows > 1) { c120 = Vector512.FusedMultiplyAdd(a1, x0, c120); c121 = Vector512.FusedMultiplyAdd(a1, x1, c121); c122 = Vector512.FusedMultiplyAdd(a1, x2, c122); }
            }
            {
                var x0 = Vector512.LoadAligned(b3); var x1 = Vector512.LoadAligned(b3 + 16); var x2 = Vector512.LoadAligned(b3 + 32);
                c030 = Vector512.FusedMultiplyAdd(a0, x0, c030); c031 = Vector512.FusedMultiplyAdd(a0, x1, c031); c032 = Vector512.FusedMultiplyAdd(a0, x2, c032);
                if (rows > 1) { c130 = Vector512.FusedMultiplyAdd(a1, x0, c130); c131 = Vector512.FusedMultiplyAdd(a1, x1, c131); c132 = Vector512.FusedMultiplyAdd(a1, x2, c132); }
            }
            a += 8;
            b0 += 48; b1 += 48; b2 += 48; b3 += 48;
        }
        c000.Store(c + 0); c001.Store(c + 16); c002.Store(c + 32);
        c010.Store(c + 48); c011.Store(c + 64); c012.Store(c + 80);
        c020.Store(c + 96); c021.Store(c + 112); c022.Store(c + 128);
        c030.Store(c + 144); c031.Store(c + 160); c032.Store(c + 176);
        if (rows > 1) { c100.Store(c + ldc + 0); c101.Store(c + ldc + 16); c102.Store(c + ldc + 32); }
        if (rows > 1) { c110.Store(c + ldc + 48); c111.Store(c + ldc + 64); c112.Store(c + ldc + 80); }
        if (rows > 1) { c120.Store(c + ldc + 96); c121.Store(c + ldc + 112); c122.Store(c + ldc + 128); }
        if (rows > 1) { c130.Store(c + ldc + 144); c131.Store(c + ldc + 160); c132.Store(c + ldc + 176); }
    }
}
