namespace Recur.Kernels;

/// <summary>
/// The plain matrix multiply every fast GEMM is checked against:
/// <c>C = op(A)·op(B) (+ C when accumulating)</c>, row-major, with leading dimensions.
/// </summary>
/// <remarks>
/// op(A) is (M, K): A is stored (M, K) with row stride lda, or (K, M) when <c>transA</c>.
/// op(B) is (K, N): B is stored (K, N) with row stride ldb, or (N, K) when <c>transB</c>.
/// C is (M, N) with row stride ldc. Accumulation is in float, in k order.
/// </remarks>
internal static class GemmReference
{
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += av * bv;
                }
                ref float dst = ref c[i * ldc + j];
                dst = accumulate ? dst + sum : sum;
            }
        }
    }
}
