using Recur.Kernels;

namespace Recur.Layers.Recurrent.Normalized;

// Shapes: B batch, H hidden, R = T·B rows; gates are laid out [i | f | g | o], each H wide
// (PyTorch order). A row of the extra cache (9H): [ĥ (4H) | ĉ (H) | s (H) | q (H) | rstd_h, rstd_c, … (2H)].

/// <summary>
/// The layer-normalised LSTM step (Ba et al. 2016, supplementary equations):
/// <code>
/// a = α_x ⊙ LN(x·W_ihᵀ) + b_ih + α_h ⊙ LN(h_{t−1}·W_hhᵀ) + b_hh          (B, 4H)
/// i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
/// c_t = f ⊙ c_{t−1} + i ⊙ g                                              (carried unnormalised)
/// h_t = o ⊙ tanh(α_c ⊙ LN(c_t) + β_c)
/// </code>
/// Caches the activated gates, ĥ = LN(h_{t−1}·W_hhᵀ), ĉ = LN(c_t), s = tanh(α_c ⊙ ĉ + β_c),
/// q = o ⊙ (1 − s²) and both rstd. The element-wise math is plain scalar code: this is the
/// reference form of the cell.
/// </summary>
internal sealed class LayerNormLstmCell : NormalizedCell
{
    private PackedMatrix? _whhT; // W_hhᵀ (H, 4H)
    private readonly KeptPack _whhTPack = new(); // packed again only when the weights change
    private PackedMatrix? _whh;  // W_hh (4H, H)

    public LayerNormLstmCell(int hiddenSize, Tensor weightHh, Tensor biasHh, LayerNormWeights norm)
        : base(hiddenSize, 4, weightHh, biasHh, norm) { }

    public override bool HasCellState => true;

    public override int ExtraWidth => 9;

    public override int ScratchWidth => 4; // h·W_hhᵀ forward; ∂L/∂(h·W_hhᵀ) backward

    public override bool KeepsStateGradients => true; // dα_c, dβ_c after the loop from ∂L/∂h_t

    protected override int RecurrentHatOffset => 0;

    protected override int RecurrentRstdOffset => 7 * H;

    private int CellHat => 4 * H;
    private int Squash => 5 * H;
    private int Slope => 6 * H;
    private int CellRstd => 7 * H + 1;

    public override void PrepareForward() => _whhT = _whhTPack.Pack(true, H, GH, WeightHh.Span, H);

    public override void PrepareBackward() => _whh = Gemm.Pack(false, GH, H, WeightHh.Span, H, _whh);

    public override void Forward(int batch, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
    {
        int H = this.H, GH = this.GH, E = ExtraWidth * H;
        // rec (B, 4H) = (B, H) · W_hhᵀ
        Gemm.Multiply(false, batch, hPrev, H, _whhT!, scratch, GH);
        var cGain = Norm.CellGain!.Value.Span;
        var cBias = Norm.CellBias!.Value.Span;
        for (int b = 0; b < batch; b++)
        {
            var a = gates.Slice(b * GH, GH);
            var rec = scratch.Slice(b * GH, GH);
            var e = extra.Slice(b * E, E);
            e[RecurrentRstdOffset] = NormalizeRecurrentRow(rec, e.Slice(RecurrentHatOffset, GH));
            var cp = cPrev.Slice(b * H, H);
            var ct = c.Slice(b * H, H);
            for (int j = 0; j < H; j++)
            {
                float i = Activations.Sigmoid(a[j] + rec[j]), f = Activations.Sigmoid(a[H + j] + rec[H + j]);
                float g = MathF.Tanh(a[2 * H + j] + rec[2 * H + j]), o = Activations.Sigmoid(a[3 * H + j] + rec[3 * H + j]);
                a[j] = i; a[H + j] = f; a[2 * H + j] = g; a[3 * H + j] = o;
                ct[j] = f * cp[j] + i * g;
            }
            var cHat = e.Slice(CellHat, H);
            e[CellRstd] = RowNorm.Forward(ct, cHat);
            var ht = h.Slice(b * H, H);
            for (int j = 0; j < H; j++)
            {
                float s = MathF.Tanh(cGain[j] * cHat[j] + cBias[j]), o = a[3 * H + j];
                e[Squash + j] = s;
                e[Slope + j] = o * (1f - s * s);
                ht[j] = o * s;
            }
        }
    }

    // dĉ = dh ⊙ q ⊙ α_c    dc_t = LN'(dĉ) + dc_{t+1}·(carried)
    // dz_o = dh ⊙ s ⊙ o(1 − o)   dz_i = dc_t ⊙ g ⊙ i(1 − i)   dz_g = dc_t ⊙ i ⊙ (1 − g²)   dz_f = dc_t ⊙ c_{t−1} ⊙ f(1 − f)
    // dc_{t−1} = dc_t ⊙ f    ∂L/∂rec = LN'(dz ⊙ α_h)    dh_{t−1} = ∂L/∂rec · W_hh
    public override void Backward(int batch,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dc,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev, Span<float> scratch)
    {
        int H = this.H, GH = this.GH, E = ExtraWidth * H;
        var cGain = Norm.CellGain!.Value.Span;
        for (int b = 0; b < batch; b++)
        {
            var g = gates.Slice(b * GH, GH);
            var e = extra.Slice(b * E, E);
            var d = dh.Slice(b * H, H);
            var dRec = scratch.Slice(b * GH, GH);
            var dCell = dRec.Slice(0, H); // ∂L/∂c_t through h_t, before dRec is needed
            for (int j = 0; j < H; j++) dCell[j] = d[j] * e[Slope + j] * cGain[j];
            RowNorm.Backward(dCell, e.Slice(CellHat, H), e[CellRstd], dCell);
            var dz = dgx.Slice(b * GH, GH);
            var cp = cPrev.Slice(b * H, H);
            var dcIn = dc.Slice(b * H, H);
            var dcOut = dcPrev.Slice(b * H, H); // may be dc itself: each j reads dc[j] before writing it
            for (int j = 0; j < H; j++)
            {
                float i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
                float dct = dCell[j] + dcIn[j];
                dz[j] = dct * gg * i * (1f - i);
                dz[H + j] = dct * cp[j] * f * (1f - f);
                dz[2 * H + j] = dct * i * (1f - gg * gg);
                dz[3 * H + j] = d[j] * e[Squash + j] * o * (1f - o);
                dcOut[j] = dct * f;
            }
            RecurrentRowGradient(dz, e.Slice(RecurrentHatOffset, GH), e[RecurrentRstdOffset], dRec);
        }
        // (B, H) = (B, 4H) · (4H, H)
        Gemm.Multiply(false, batch, scratch, GH, _whh!, dhPrev, H);
    }

    // The gradient of α_h ⊙ ĥ is the gates' own: b_hh is added after it.
    protected override void RecurrentOutputGradient(int row, ReadOnlySpan<float> dgx, ReadOnlySpan<float> dgh, Span<float> dst)
        => dgx.Slice(row * GH, GH).CopyTo(dst);

    // dy = dh_t ⊙ q (∂L/∂(α_c ⊙ ĉ + β_c));  dα_c += Σ dy ⊙ ĉ,  dβ_c += Σ dy  (dh is 0 at padded steps)
    public override void AccumulateStateGradients(int rows, ReadOnlySpan<float> dh, ReadOnlySpan<float> extra)
    {
        int H = this.H, E = ExtraWidth * H;
        var dGain = Norm.CellGain!.Grad.Span;
        var dBias = Norm.CellBias!.Grad.Span;
        for (int r = 0; r < rows; r++)
        {
            var e = extra.Slice(r * E, E);
            var d = dh.Slice(r * H, H);
            for (int j = 0; j < H; j++)
            {
                float dy = d[j] * e[Slope + j];
                dGain[j] += dy * e[CellHat + j];
                dBias[j] += dy;
            }
        }
    }
}
