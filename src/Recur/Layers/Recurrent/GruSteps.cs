using Recur.Kernels;

namespace Recur.Layers.Recurrent;

// Shapes: B batch, H hidden, GH = 3H; gates [r | z | n]; E the row stride of the cell's extra
// cache, whose first H floats of a row hold hn = rec_n + b_hn.

/// <summary>
/// The row loops of a GRU step resetting after the recurrent multiply, shared by
/// <see cref="GruCell"/> and the layer-normalised GRU: given the step's recurrent term rec
/// (h_{t−1}·W_hhᵀ, or its normalised form), the element-wise pass (<see cref="GruPointwise"/>) on
/// every row, and the end of the step back under recurrent dropout (Keras' <c>recurrent_dropout</c>),
/// where the mask m_h acts on h_{t−1} inside the projection only and the interpolation
/// z ⊙ h_{t−1} sees the carried state:
/// <code>
/// dh_{t−1} = dh_t ⊙ z  +  (∂L/∂rec · W_hh) ⊙ m_h        rec = (h_{t−1} ⊙ m_h)·W_hhᵀ
/// </code>
/// One mask serves the three gate blocks, as for the other cells (Keras' GRUCell, which
/// switches to its per-gate implementation under recurrent dropout, draws one per block); the
/// reset-before GRU (<see cref="GruCell"/>) uses the same mask on the r and z multiplies and in
/// r ⊙ (h_{t−1} ⊙ m_h), and ends its step back with <see cref="MaskAndAddCarried"/> too.
/// </summary>
internal static unsafe class GruSteps
{
    /// <summary>
    /// gates (B, 3H) pre-activations → activated; hn into each extra row; h (B, H) from the
    /// carried state <paramref name="hCarried"/> (B, H); rec (B, 3H); <paramref name="biasHh"/> b_hh (3H).
    /// </summary>
    public static void Forward(int batch, int H, int extraStride, Span<float> gates, ReadOnlySpan<float> rec, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> hCarried, Span<float> extra, Span<float> h)
    {
        int GH = 3 * H;
        fixed (float* z = gates, r = rec, hn = extra, bias = biasHh, hp = hCarried, ht = h)
            for (int b = 0; b < batch; b++)
                GruPointwise.ForwardResetAfter(H, H, z + b * GH, r + b * GH, bias + 2 * H, hp + b * H, hn + b * extraStride, ht + b * H);
    }

    /// <summary>
    /// The element-wise step back: dgx (B, 3H), ∂L/∂rec (B, 3H) into <paramref name="dRec"/> with
    /// its n block also kept in <paramref name="dgh"/> (B, H), and dh_{t−1} = dh ⊙ z.
    /// </summary>
    public static void Backward(int batch, int H, int extraStride, ReadOnlySpan<float> dh, ReadOnlySpan<float> hCarried, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> extra, Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dRec)
    {
        int GH = 3 * H;
        fixed (float* g = gates, hn = extra, hp = hCarried, d = dh, dx = dgx, dr = dRec, dhp = dhPrev)
            for (int b = 0; b < batch; b++)
                GruPointwise.BackwardResetAfter(H, g + b * GH, hn + b * extraStride, hp + b * H, d + b * H, dx + b * GH, dr + b * GH, dhp + b * H);
        for (int b = 0; b < batch; b++) dRec.Slice(b * GH + 2 * H, H).CopyTo(dgh.Slice(b * H, H));
    }

    /// <summary>
    /// Under recurrent dropout, overwrites <paramref name="dhPrev"/> (B, H) with the sum above from
    /// ∂L/∂rec <paramref name="dRec"/> (B, 3H), W_hh packed for backward, the activated
    /// <paramref name="gates"/> (B, 3H), ∂L/∂h_t <paramref name="dh"/> (B, H) and the mask rows (B, H).
    /// </summary>
    public static void AddMaskedProjection(int batch, int H, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> mask,
        ReadOnlySpan<float> dRec, PackedMatrix weightHh, Span<float> dhPrev)
    {
        int GH = 3 * H;
        Gemm.Multiply(false, batch, dRec, GH, weightHh, dhPrev, H); // (B, H) = (B, 3H)·(3H, H)
        MaskAndAddCarried(batch, H, dh, gates, mask, dhPrev);
    }

    /// <summary>
    /// The end of a GRU step back under recurrent dropout, in either form: <paramref name="dhPrev"/>
    /// (B, H) enters holding ∂L/∂(h_{t−1} ⊙ m_h), the multiplies' part, and leaves holding
    /// ∂L/∂h_{t−1} = dhPrev ⊙ m_h + dh ⊙ z, the interpolation's direct path added undropped.
    /// </summary>
    public static void MaskAndAddCarried(int batch, int H, ReadOnlySpan<float> dh, ReadOnlySpan<float> gates, ReadOnlySpan<float> mask, Span<float> dhPrev)
    {
        int GH = 3 * H;
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < H; j++)
            {
                int k = b * H + j;
                dhPrev[k] = dhPrev[k] * mask[k] + dh[k] * gates[b * GH + H + j];
            }
    }
}
