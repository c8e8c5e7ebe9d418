using Recur.Kernels;

namespace Recur.Layers.Attention;

/// <summary>s_ij = q_i · k_j per batch row, forward and backward (Luong's dot score, and general's after projecting).</summary>
internal static class DotScores
{
    /// <summary>s (B, Tq, Tk) = q (Tq, D) · kᵀ (D, Tk) for each batch row.</summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, Span<float> s, int B, int Tq, int Tk, int D)
    {
        for (int b = 0; b < B; b++)
            Gemm.MatMulTransB(q.Slice(b * Tq * D, Tq * D), k.Slice(b * Tk * D, Tk * D), s.Slice(b * Tq * Tk, Tq * Tk), Tq, Tk, D);
    }

    /// <summary>dq (B, Tq, D) += ds · k;  dk (B, Tk, D) += dsᵀ · q.</summary>
    public static void Backward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> ds, Span<float> dq, Span<float> dk, int B, int Tq, int Tk, int D)
    {
        for (int b = 0; b < B; b++)
        {
            var dsb = ds.Slice(b * Tq * Tk, Tq * Tk);                                                                          // (Tq, Tk)
            Gemm.MatMul(dsb, k.Slice(b * Tk * D, Tk * D), dq.Slice(b * Tq * D, Tq * D), Tq, D, Tk, accumulate: true);          // (Tq, D)
            Gemm.MatMulTransA(dsb, q.Slice(b * Tq * D, Tq * D), dk.Slice(b * Tk * D, Tk * D), Tk, D, Tq, accumulate: true);    // (Tk, D)
        }
    }
}
