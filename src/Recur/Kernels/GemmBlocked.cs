using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Recur.Kernels;

/// <summary>
/// A vectorized GEMM in i-k-j order: each row of C accumulates <c>a[i,p] · B[p,:]</c> as a
/// SIMD axpy. op(B) is first copied to (K, N) row-major when it is transposed.
/// Same contract as <see cref="GemmReference"/>.
/// </summary>
internal static class GemmBlocked
{
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
    {
        float[]? rented = null;
        ReadOnlySpan<float> bkn = b;
        int ldbkn = ldb;
        if (transB)
        {
            rented = ArrayPool<float>.Shared.Rent(k * n);
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++)
                    rented[p * n + j] = b[j * ldb + p];
            bkn = rented;
            ldbkn = n;
        }
        try
        {
            for (int i = 0; i < m; i++)
            {
                Span<float> crow = c.Slice(i * ldc, n);
                if (!accumulate) crow.Clear();
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    if (av == 0f) continue;
                    Axpy(av, bkn.Slice(p * ldbkn, n), crow);
                }
            }
        }
        finally
        {
            if (rented != null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>y += alpha · x.</summary>
    internal static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var va = new Vector<float>(alpha);
            var xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            var yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int v = 0; v < xv.Length; v++) yv[v] += va * xv[v];
            i = xv.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) y[i] += alpha * x[i];
    }
}
