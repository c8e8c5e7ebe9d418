using Recur.Kernels;

namespace Recur.Layers.Recurrent.Normalized;

// Shapes: B batch, H hidden, R = T·B rows; gates are laid out [r | z | n], each H wide (PyTorch
// order). A row of the extra cache (5H): [hn (H) | ĥ (3H) | rstd, … (H)].

/// <summary>
/// The layer-normalised GRU step, resetting after the recurrent multiply (PyTorch's form, Keras'
/// default), with the two projections normalised as in Ba et al. 2016:
/// <code>
/// u = α_h ⊙ LN(h_{t−1}·W_hhᵀ)                      a = α_x ⊙ LN(x·W_ihᵀ) + b_ih       (B, 3H)
/// r = σ(a_r + u_r + b_hr)   z = σ(a_z + u_z + b_hz)   n = tanh(a_n + r ⊙ (u_n + b_hn))
/// h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
/// </code>
/// Given u, the step is the plain GRU's element-wise pass (<see cref="GruPointwise"/>) on u in
/// place of h_{t−1}·W_hhᵀ, forward and back (<see cref="GruSteps"/>); only the normalisation is added around it.
/// </summary>
internal sealed class LayerNormGruCell : NormalizedCell
{
    private PackedMatrix? _whhT; // W_hhᵀ (H, 3H)
    private readonly KeptPack _whhTPack = new(); // packed again only when the weights change
    private PackedMatrix? _whh;  // W_hh (3H, H)

    public LayerNormGruCell(int hiddenSize, Tensor weightHh, Tensor biasHh, LayerNormWeights norm)
        : base(hiddenSize, 3, weightHh, biasHh, norm) { }

    public override int ExtraWidth => 5;

    public override int ScratchWidth => 3; // u forward; the step's recurrent gradient backward

    // As the plain GRU resetting after: the n block's recurrent gradient is r ⊙ dz_n.
    public override int RecurrentGradientWidth => H;

    public override int RecurrentGradientOffset => 2 * H;

    protected override int RecurrentHatOffset => H;

    protected override int RecurrentRstdOffset => 4 * H;

    // b_hn sits inside r ⊙ (…): only b_hr and b_hz fold into the input side.
    public override void FoldRecurrentBias(Span<float> bias)
    {
        var bhh = BiasHh.Span;
        for (int j = 0; j < 2 * H; j++) bias[j] += bhh[j];
    }

    public override void PrepareForward() => _whhT = _whhTPack.Pack(true, H, GH, WeightHh.Span, H);

    public override void PrepareBackward() => _whh = Gemm.Pack(false, GH, H, WeightHh.Span, H, _whh);

    public override void Forward(int batch, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
        => Step(batch, gates, hPrev, hPrev, h, extra, scratch);

    public override void ForwardDropped(int batch, Span<float> gates, ReadOnlySpan<float> hDropped, ReadOnlySpan<float> hPrev,
        ReadOnlySpan<float> cPrev, Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
        => Step(batch, gates, hDropped, hPrev, h, extra, scratch);

    /// <summary><paramref name="hProjected"/> enters the recurrent multiply, <paramref name="hCarried"/> the interpolation (they differ under recurrent dropout).</summary>
    private void Step(int batch, Span<float> gates, ReadOnlySpan<float> hProjected, ReadOnlySpan<float> hCarried,
        Span<float> h, Span<float> extra, Span<float> scratch)
    {
        int H = this.H, GH = this.GH, E = ExtraWidth * H;
        // rec (B, 3H) = (B, H) · W_hhᵀ, then u = α_h ⊙ LN(rec) in place
        Gemm.Multiply(false, batch, hProjected, H, _whhT!, scratch, GH);
        for (int b = 0; b < batch; b++)
        {
            var e = extra.Slice(b * E, E);
            e[RecurrentRstdOffset] = NormalizeRecurrentRow(scratch.Slice(b * GH, GH), e.Slice(RecurrentHatOffset, GH));
        }
        GruSteps.Forward(batch, H, E, gates, scratch, BiasHh.Span, hCarried, extra, h);
    }

    public override void Backward(int batch,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dc,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev, Span<float> scratch)
    {
        StepBack(batch, dh, hPrev, gates, extra, dgx, dgh, scratch, dhPrev);
        Gemm.Multiply(false, batch, scratch, GH, _whh!, dhPrev, H, accumulate: true); // (B, H) += (B, 3H)·(3H, H)
    }

    public override void BackwardDropped(int batch, ReadOnlySpan<float> dh, ReadOnlySpan<float> dc, ReadOnlySpan<float> hDropped,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> mask, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev, Span<float> scratch)
    {
        StepBack(batch, dh, hPrev, gates, extra, dgx, dgh, scratch, dhPrev);
        GruSteps.AddMaskedProjection(batch, H, dh, gates, mask, scratch, _whh!, dhPrev);
    }

    // From GruPointwise: dgx, the step's ∂L/∂u (3H, in the scratch) and dh_{t−1} = dh ⊙ z;
    // the n block of ∂L/∂u is kept in dgh (b_hn's gradient), then ∂L/∂rec = LN'(∂L/∂u ⊙ α_h).
    private void StepBack(int batch, ReadOnlySpan<float> dh, ReadOnlySpan<float> hCarried, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> extra, Span<float> dgx, Span<float> dgh, Span<float> scratch, Span<float> dhPrev)
    {
        int H = this.H, GH = this.GH, E = ExtraWidth * H;
        GruSteps.Backward(batch, H, E, dh, hCarried, gates, extra, dgx, dgh, dhPrev, scratch);
        for (int b = 0; b < batch; b++)
        {
            var du = scratch.Slice(b * GH, GH);
            var e = extra.Slice(b * E, E);
            RecurrentRowGradient(du, e.Slice(RecurrentHatOffset, GH), e[RecurrentRstdOffset], du);
        }
    }

    // ∂L/∂u = [dz_r | dz_z | r ⊙ dz_n]: dgx's r and z blocks, dgh's n block.
    protected override void RecurrentOutputGradient(int row, ReadOnlySpan<float> dgx, ReadOnlySpan<float> dgh, Span<float> dst)
    {
        dgx.Slice(row * GH, 2 * H).CopyTo(dst);
        dgh.Slice(row * H, H).CopyTo(dst.Slice(2 * H));
    }
}
