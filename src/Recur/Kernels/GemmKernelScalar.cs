using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>
/// The portable micro-kernel for CPUs without usable SIMD: a (4, 4) tile in scalar registers.
/// Where the CPU has a fused multiply-add it is used, so that results match the SIMD kernels bit
/// for bit; elsewhere it is a multiply then an add.
/// </summary>
internal readonly unsafe struct GemmKernelScalar : IGemmKernel
{
    public static int MR => 4;
    public static int Lanes => 4;
    public static int NR => 4;
    public static int KC => 256;
    public static int MC => 64;
    public static int NC => 1024;

    private static bool HasFma => Fma.IsSupported || AdvSimd.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile<TRows, TCols>(int kc, float* a, float* b, float* c, nint ldc, bool load)
        where TRows : struct, ICount
        where TCols : struct, ICount // always one "vector" of 4 columns
    {
        int rows = TRows.Value;
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        if (load)
        {
            float* r = c;
            c00 = r[0]; c01 = r[1]; c02 = r[2]; c03 = r[3];
            if (rows > 1) { r += ldc; c10 = r[0]; c11 = r[1]; c12 = r[2]; c13 = r[3]; }
            if (rows > 2) { r += ldc; c20 = r[0]; c21 = r[1]; c22 = r[2]; c23 = r[3]; }
            if (rows > 3) { r += ldc; c30 = r[0]; c31 = r[1]; c32 = r[2]; c33 = r[3]; }
        }
        for (int p = 0; p < kc; p++, a += 4, b += 4)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float x = a[0];
            c00 = MulAdd(x, b0, c00); c01 = MulAdd(x, b1, c01); c02 = MulAdd(x, b2, c02); c03 = MulAdd(x, b3, c03);
            if (rows > 1) { x = a[1]; c10 = MulAdd(x, b0, c10); c11 = MulAdd(x, b1, c11); c12 = MulAdd(x, b2, c12); c13 = MulAdd(x, b3, c13); }
            if (rows > 2) { x = a[2]; c20 = MulAdd(x, b0, c20); c21 = MulAdd(x, b1, c21); c22 = MulAdd(x, b2, c22); c23 = MulAdd(x, b3, c23); }
            if (rows > 3) { x = a[3]; c30 = MulAdd(x, b0, c30); c31 = MulAdd(x, b1, c31); c32 = MulAdd(x, b2, c32); c33 = MulAdd(x, b3, c33); }
        }
        {
            float* r = c;
            r[0] = c00; r[1] = c01; r[2] = c02; r[3] = c03;
            if (rows > 1) { r += ldc; r[0] = c10; r[1] = c11; r[2] = c12; r[3] = c13; }
            if (rows > 2) { r += ldc; r[0] = c20; r[1] = c21; r[2] = c22; r[3] = c23; }
            if (rows > 3) { r += ldc; r[0] = c30; r[1] = c31; r[2] = c32; r[3] = c33; }
        }
    }

    private static float MulAdd(float x, float y, float acc) => HasFma ? MathF.FusedMultiplyAdd(x, y, acc) : x * y + acc;

    public static int ShortPanels => 0;

    public static void TileShort<TRows>(int kc, float* a, float* b0, nint panelStride, float* c, nint ldc, bool load)
        where TRows : struct, ICount
        => throw new NotSupportedException();
}
