namespace Recur.Kernels;

/// <summary>
/// The one seam through which every layer multiplies matrices:
/// <c>C (M, N) = op(A) (M, K) · op(B) (K, N)</c>, optionally added to C.
/// </summary>
/// <remarks>
/// Layouts follow <see cref="GemmReference"/>. Arguments are validated here once, so kernels
/// behind the seam may assume in-range spans.
/// </remarks>
internal static class Gemm
{
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate = false)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate)
                for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
            return;
        }
        GemmBlocked.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
    }

    /// <summary>C (M, N) = A (M, K) · B (K, N), all contiguous.</summary>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
        => Multiply(false, false, m, n, k, a, k, b, n, c, n, accumulate);

    /// <summary>C (M, N) = A (M, K) · Bᵀ where B is (N, K), all contiguous.</summary>
    public static void MatMulTransB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
        => Multiply(false, true, m, n, k, a, k, b, k, c, n, accumulate);

    /// <summary>C (M, N) = Aᵀ · B where A is (K, M) and B is (K, N), all contiguous.</summary>
    public static void MatMulTransA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
        => Multiply(true, false, m, n, k, a, m, b, n, c, n, accumulate);

    private static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM sizes must be non-negative; got M={m}, N={n}, K={k}.");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Check("A", aRows, aCols, lda, aLen);
        Check("B", bRows, bCols, ldb, bLen);
        Check("C", m, n, ldc, cLen);
    }

    private static void Check(string name, int rows, int cols, int ld, int len)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols)
            throw new ArgumentException($"GEMM {name}: leading dimension {ld} is smaller than its {cols} columns.");
        long need = (long)(rows - 1) * ld + cols;
        if (need > len)
            throw new ArgumentException($"GEMM {name}: ({rows}, {cols}) with leading dimension {ld} needs {need} elements; the span has {len}.");
    }
}
