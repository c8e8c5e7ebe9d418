using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

// Shapes: a panel group is 64 bytes, 16 channels × 4 consecutive k (see QuantizedMatrix); acc (rows, 16) int32.

/// <summary>
/// The int8 tiles of <see cref="Int8Gemm"/> for CPUs with AVX2 but without AVX-VNNI: VPMADDWD
/// on 16-bit operands, exact where VPMADDUBSW's 16-bit sums would saturate (255·127·2 > 2¹⁵).
/// </summary>
/// <remarks>
/// A group's 16 bytes of four channels widen to 16 int16 (<c>[c0k0 c0k1 c0k2 c0k3 c1k0 … c3k3]</c>),
/// the row's four codes to int16 broadcast to every 64-bit lane; VPMADDWD then leaves
/// <c>a0·w0 + a1·w1</c> and <c>a2·w2 + a3·w3</c> of each channel in two adjacent int32 lanes,
/// summed into one at the end. The int32 sums are those of VPDPBUSD and of the scalar loop.
/// </remarks>
internal static unsafe class Int8KernelAvx2
{
    /// <summary>Rows per tile.</summary>
    public const int MR = 2;

    /// <summary>acc (2, 16) = two rows of A (stride lda) times one panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile2(byte* a, nint lda, sbyte* panel, int groups, int* acc)
    {
        Vector256<int> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<int> c10 = default, c11 = default, c12 = default, c13 = default;
        byte* a1 = a + lda;
        for (int p = 0; p < groups; p++)
        {
            sbyte* g = panel + (nint)p * 64;
            var w0 = Avx2.ConvertToVector256Int16(g);
            var w1 = Avx2.ConvertToVector256Int16(g + 16);
            var w2 = Avx2.ConvertToVector256Int16(g + 32);
            var w3 = Avx2.ConvertToVector256Int16(g + 48);
            var x = Codes(a + (nint)p * 4);
            c00 = Avx2.Add(c00, Avx2.MultiplyAddAdjacent(x, w0));
            c01 = Avx2.Add(c01, Avx2.MultiplyAddAdjacent(x, w1));
            c02 = Avx2.Add(c02, Avx2.MultiplyAddAdjacent(x, w2));
            c03 = Avx2.Add(c03, Avx2.MultiplyAddAdjacent(x, w3));
            x = Codes(a1 + (nint)p * 4);
            c10 = Avx2.Add(c10, Avx2.MultiplyAddAdjacent(x, w0));
            c11 = Avx2.Add(c11, Avx2.MultiplyAddAdjacent(x, w1));
            c12 = Avx2.Add(c12, Avx2.MultiplyAddAdjacent(x, w2));
            c13 = Avx2.Add(c13, Avx2.MultiplyAddAdjacent(x, w3));
        }
        Finish(c00, c01, c02, c03, acc);
        Finish(c10, c11, c12, c13, acc + 16);
    }

    /// <summary>acc (16) = one row of A times one panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tile1(byte* a, sbyte* panel, int groups, int* acc)
    {
        Vector256<int> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = 0; p < groups; p++)
        {
            sbyte* g = panel + (nint)p * 64;
            var x = Codes(a + (nint)p * 4);
            c0 = Avx2.Add(c0, Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(g)));
            c1 = Avx2.Add(c1, Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(g + 16)));
            c2 = Avx2.Add(c2, Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(g + 32)));
            c3 = Avx2.Add(c3, Avx2.MultiplyAddAdjacent(x, Avx2.ConvertToVector256Int16(g + 48)));
        }
        Finish(c0, c1, c2, c3, acc);
    }

    /// <summary>Four u8 codes as int16, repeated in every 64-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Codes(byte* a)
        => Avx2.BroadcastScalarToVector256(Sse41.ConvertToVector128Int16(Vector128.CreateScalar(Unsafe.ReadUnaligned<int>(a)).AsByte()).AsInt64()).AsInt16();

    /// <summary>
    /// Pair sums to channels: c0 holds channels 0–3 as lanes (0 0 1 1 | 2 2 3 3), c1 channels 4–7,
    /// c2 8–11, c3 12–15. VPHADDD gives (0 1 4 5 | 2 3 6 7); the qword permute puts them in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector256<int> c0, Vector256<int> c1, Vector256<int> c2, Vector256<int> c3, int* acc)
    {
        Avx2.Permute4x64(Avx2.HorizontalAdd(c0, c1).AsInt64(), 0b11_01_10_00).AsInt32().Store(acc);
        Avx2.Permute4x64(Avx2.HorizontalAdd(c2, c3).AsInt64(), 0b11_01_10_00).AsInt32().Store(acc + 8);
    }
}
