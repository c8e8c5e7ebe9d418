using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// Operands for GEMM tests, and two oracles: <see cref="GemmReference"/> with an error bound,
/// and the exact chain of fused multiply-adds that the fast GEMM promises for every element.
/// </summary>
internal sealed class GemmCase
{
    public readonly bool TransA, TransB;
    public readonly int M, N, K, Lda, Ldb, Ldc;
    public readonly float[] A, B, C0;

    /// <summary>
    /// Random operands; each leading dimension exceeds its row length by <paramref name="pad"/>,
    /// and the padding of C holds a sentinel that must survive.
    /// </summary>
    public GemmCase(bool transA, bool transB, int m, int n, int k, int pad = 3, int seed = 1)
    {
        (TransA, TransB, M, N, K) = (transA, transB, m, n, k);
        var rng = new SeededRandom((ulong)seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Lda = aCols + pad;
        Ldb = bCols + pad;
        Ldc = n + pad;
        A = Random(rng, aRows * Lda);
        B = Random(rng, bRows * Ldb);
        C0 = Random(rng, m * Ldc);
        for (int i = 0; i < m; i++)
            for (int j = n; j < Ldc; j++) C0[i * Ldc + j] = Sentinel;
    }

    public const float Sentinel = -12345.5f;

    public float OpA(int i, int p) => TransA ? A[p * Lda + i] : A[i * Lda + p];

    public float OpB(int p, int j) => TransB ? B[j * Ldb + p] : B[p * Ldb + j];

    /// <summary>C after the fast GEMM through the seam, from <see cref="C0"/>.</summary>
    public float[] Fast(bool accumulate)
    {
        var c = (float[])C0.Clone();
        Gemm.Multiply(TransA, TransB, M, N, K, A, Lda, B, Ldb, c, Ldc, accumulate);
        return c;
    }

    /// <summary>C after the fast GEMM with op(B) packed first.</summary>
    public float[] FastPacked(bool accumulate)
    {
        var c = (float[])C0.Clone();
        var packed = Gemm.Pack(TransB, K, N, B, Ldb);
        Gemm.Multiply(TransA, M, A, Lda, packed, c, Ldc, accumulate);
        return c;
    }

    /// <summary>
    /// Asserts <paramref name="c"/> is within the forward error bound of the reference:
    /// |C − C_ref| ≤ 2(K + 2)·ε·(|A|·|B|) + 4ε·|C0|, ε = 2⁻²³, and that C's padding is untouched.
    /// </summary>
    public void AssertMatchesReference(float[] c, bool accumulate, string label)
    {
        var expected = (float[])C0.Clone();
        GemmReference.Multiply(TransA, TransB, M, N, K, A, Lda, B, Ldb, expected, Ldc, accumulate);
        const double Eps = 1.0 / (1 << 23);
        for (int i = 0; i < M; i++)
        {
            for (int j = 0; j < N; j++)
            {
                double magnitude = 0;
                for (int p = 0; p < K; p++) magnitude += Math.Abs((double)OpA(i, p) * OpB(p, j));
                double tol = 2 * (K + 2) * Eps * magnitude + (accumulate ? 4 * Eps * Math.Abs(C0[i * Ldc + j]) : 0);
                double err = Math.Abs((double)c[i * Ldc + j] - expected[i * Ldc + j]);
                if (!(err <= tol))
                    Assert.Fail($"{label}: C[{i},{j}] = {c[i * Ldc + j]}, reference {expected[i * Ldc + j]}, error {err:E3} > bound {tol:E3}.");
            }
            AssertPaddingUntouched(c, i, label);
        }
    }

    /// <summary>
    /// Asserts every element equals, bit for bit, the chain
    /// <c>s ← fma(op(A)[i,p], op(B)[p,j], s)</c> for p = 0..K−1 from s = 0 (or C0 when accumulating).
    /// Holds on CPUs with a fused multiply-add, which every SIMD kernel requires.
    /// </summary>
    public void AssertEqualsFusedChain(float[] c, bool accumulate, string label)
    {
        for (int i = 0; i < M; i++)
        {
            for (int j = 0; j < N; j++)
            {
                float s = accumulate ? C0[i * Ldc + j] : 0f;
                for (int p = 0; p < K; p++) s = MathF.FusedMultiplyAdd(OpA(i, p), OpB(p, j), s);
                float got = c[i * Ldc + j];
                if (BitConverter.SingleToInt32Bits(got) != BitConverter.SingleToInt32Bits(s))
                    Assert.Fail($"{label}: C[{i},{j}] = {got:R}, fused chain gives {s:R}.");
            }
            AssertPaddingUntouched(c, i, label);
        }
    }

    private void AssertPaddingUntouched(float[] c, int row, string label)
    {
        for (int j = N; j < Ldc; j++)
            if (c[row * Ldc + j] != Sentinel)
                Assert.Fail($"{label}: padding C[{row},{j}] was overwritten with {c[row * Ldc + j]}.");
    }

    public override string ToString() =>
        $"{(TransA ? "T" : "N")}{(TransB ? "T" : "N")} M={M} N={N} K={K}";

    private static float[] Random(SeededRandom rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.Uniform(-1f, 1f);
        return x;
    }
}
