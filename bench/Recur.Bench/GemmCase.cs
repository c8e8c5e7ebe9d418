using Recur.Kernels;

namespace Recur.Bench;

/// <summary>Random operands for one <see cref="GemmShape"/> and the call that multiplies them.</summary>
internal static class GemmCase
{
    public static Action Create(GemmShape s)
    {
        var rng = new Random(1);
        float[] a = Fill(rng, s.M * s.K), b = Fill(rng, s.K * s.N), c = new float[s.M * s.N];
        int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
        if (s.Packed)
        {
            var packed = Gemm.Pack(s.TransB, s.K, s.N, b, ldb);
            return () => Gemm.Multiply(s.TransA, s.M, a, lda, packed, c, s.N);
        }
        return () => Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, a, lda, b, ldb, c, s.N);
    }

    private static float[] Fill(Random rng, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
