using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// The AVX2/FMA micro-kernel: a (6, 16) tile of C in 12 ymm accumulators, plus two B vectors
/// and one broadcast A value: all 16 ymm registers, 12 independent FMA chains per step.
/// </summary>
internal readonly unsafe struct GemmKernel256 : IGemmKernel
{
    public static int MR => 6;
    public static int Lanes => 8;
    public static int NR => 16;
    public static int KC => 256;
    public static int MC => 72;
    public static int NC => 4096;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<TRows, TCols>(int kc, float* a, float* b, float* c, nint ldc, bool load)
        where TRows : struct, ICount
        where TCols : struct, ICount
    {
        int rows = TRows.Value, cols = TCols.Value;
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default, c50 = default, c51 = default;
        if (load)
        {
            float* r = c;
            c00 = Vector256.Load(r); if (cols > 1) c01 = Vector256.Load(r + 8);
            if (rows > 1) { r += ldc; c10 = Vector256.Load(r); if (cols > 1) c11 = Vector256.Load(r + 8); }
            if (rows > 2) { r += ldc; c20 = Vector256.Load(r); if (cols > 1) c21 = Vector256.Load(r + 8); }
            if (rows > 3) { r += ldc; c30 = Vector256.Load(r); if (cols > 1) c31 = Vector256.Load(r + 8); }
            if (rows > 4) { r += ldc; c40 = Vector256.Load(r); if (cols > 1) c41 = Vector256.Load(r + 8); }
            if (rows > 5) { r += ldc; c50 = Vector256.Load(r); if (cols > 1) c51 = Vector256.Load(r + 8); }
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadAligned(b);
            var b1 = cols > 1 ? Vector256.LoadAligned(b + 8) : default;
            Vector256<float> x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); if (cols > 1) c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            if (rows > 1) { x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); if (cols > 1) c11 = Vector256.FusedMultiplyAdd(x, b1, c11); }
            if (rows > 2) { x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); if (cols > 1) c21 = Vector256.FusedMultiplyAdd(x, b1, c21); }
            if (rows > 3) { x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); if (cols > 1) c31 = Vector256.FusedMultiplyAdd(x, b1, c31); }
            if (rows > 4) { x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); if (cols > 1) c41 = Vector256.FusedMultiplyAdd(x, b1, c41); }
            if (rows > 5) { x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); if (cols > 1) c51 = Vector256.FusedMultiplyAdd(x, b1, c51); }
            a += 6;
            b += 16;
        }
        {
            float* r = c;
            c00.Store(r); if (cols > 1) c01.Store(r + 8);
            if (rows > 1) { r += ldc; c10.Store(r); if (cols > 1) c11.Store(r + 8); }
            if (rows > 2) { r += ldc; c20.Store(r); if (cols > 1) c21.Store(r + 8); }
            if (rows > 3) { r += ldc; c30.Store(r); if (cols > 1) c31.Store(r + 8); }
            if (rows > 4) { r += ldc; c40.Store(r); if (cols > 1) c41.Store(r + 8); }
            if (rows > 5) { r += ldc; c50.Store(r); if (cols > 1) c51.Store(r + 8); }
        }
    }

    public static int ShortPanels => 0;

    public static void TileShort<TRows>(int kc, float* a, float* b0, nint panelStride, float* c, nint ldc, bool load)
        where TRows : struct, ICount
        => throw new NotSupportedException();
}
