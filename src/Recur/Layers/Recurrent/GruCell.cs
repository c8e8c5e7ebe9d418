using Recur.Kernels;

namespace Recur.Layers.Recurrent;

// Shapes: B batch, H hidden; gates are laid out [r | z | n], each H wide (PyTorch order).

/// <summary>
/// The GRU step in both published forms (Cho et al. 2014). With <c>resetAfter</c> (PyTorch, and
/// Keras' default "linear before reset") the reset gate scales the recurrent projection:
/// <code>
/// r = σ(x·W_irᵀ + b_ir + h·W_hrᵀ + b_hr)      z = σ(x·W_izᵀ + b_iz + h·W_hzᵀ + b_hz)
/// n = tanh(x·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn))
/// h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
/// </code>
/// Without it (the original form, Keras <c>reset_after=False</c>) the reset gate scales the
/// state before the multiply: <c>n = tanh(x·W_inᵀ + b_in + (r ⊙ h)·W_hnᵀ + b_hn)</c>.
/// Caches the activated gates (B, 3H) and one extra (B, H): <c>h·W_hnᵀ + b_hn</c> (reset after)
/// or <c>r ⊙ h</c> (reset before; <c>r ⊙ (h ⊙ m_h)</c> under recurrent dropout).
/// </summary>
internal sealed unsafe class GruCell : RecurrentCell
{
    private readonly bool _resetAfter;
    private PackedMatrix? _whhT;       // W_hhᵀ (H, 3H): forward, reset after
    private readonly KeptPack _wNtPack = new(), _wRZtPack = new(), _whhTPack = new(); // packed again only when the weights change
    private PackedMatrix? _wRZt, _wNt; // W_h{r,z}ᵀ (H, 2H), W_hnᵀ (H, H): forward, reset before
    private PackedMatrix? _whh;        // W_hh (3H, H): backward, reset after
    private PackedMatrix? _wRZ, _wN;   // W_h{r,z} (2H, H), W_hn (H, H): backward, reset before

    public GruCell(int hiddenSize, bool resetAfter, Tensor weightHh, Tensor biasHh)
        : base(hiddenSize, 3, weightHh, biasHh)
    {
        _resetAfter = resetAfter;
    }

    public override int ExtraWidth => 1;

    // Resetting after, the recurrent gradient differs from dgx in its n block only: r ⊙ dz_n.
    // Resetting before, the two are the same (the reset acts on the multiply's input instead).
    public override int RecurrentGradientWidth => _resetAfter ? H : 0;

    public override int RecurrentGradientOffset => 2 * H;

    // Resetting after: forward, h_{t−1}·W_hhᵀ (B, 3H); backward, the step's whole recurrent gradient.
    public override int ScratchWidth => _resetAfter ? 3 : 0;

    private ReadOnlySpan<float> RowsRZ => WeightHh.Span.Slice(0, 2 * H * H); // (2H, H)
    private ReadOnlySpan<float> RowsN => WeightHh.Span.Slice(2 * H * H);     // (H, H)

    // b_hn sits inside r ⊙ (…) when resetting after, so only b_hr and b_hz fold into the input side.
    public override void FoldRecurrentBias(Span<float> bias)
    {
        var bhh = BiasHh.Span;
        int folded = _resetAfter ? 2 * H : GH;
        for (int j = 0; j < folded; j++) bias[j] += bhh[j];
    }

    public override void PrepareForward()
    {
        if (IsInt8) return;
        if (_resetAfter)
        {
            _whhT = _whhTPack.Pack(true, H, GH, WeightHh.Span, H);
            return;
        }
        _wRZt = _wRZtPack.Pack(true, H, 2 * H, RowsRZ, H);
        _wNt = _wNtPack.Pack(true, H, H, RowsN, H);
    }

    public override void PrepareBackward()
    {
        if (_resetAfter)
        {
            _whh = Gemm.Pack(false, GH, H, WeightHh.Span, H, _whh);
            return;
        }
        _wRZ = Gemm.Pack(false, 2 * H, H, RowsRZ, H, _wRZ);
        _wN = Gemm.Pack(false, H, H, RowsN, H, _wN);
    }

    public override void Forward(int batch, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
    {
        if (_resetAfter) ForwardResetAfter(batch, gates, hPrev, hPrev, h, extra, scratch);
        else ForwardResetBefore(batch, gates, hPrev, hPrev, h, extra);
    }

    /// <summary>
    /// Resetting before: <paramref name="hProjected"/> enters the r and z multiplies and the reset
    /// product r ⊙ h (cached in <paramref name="extra"/>), <paramref name="hCarried"/> the interpolation.
    /// </summary>
    private void ForwardResetBefore(int batch, Span<float> gates, ReadOnlySpan<float> hProjected, ReadOnlySpan<float> hCarried,
        Span<float> h, Span<float> extra)
    {
        // r and z blocks of (B, 3H) += (B, H) · W_h{r,z}ᵀ
        if (IsInt8) ProjectInt8(batch, hProjected, H, 0, 2, gates, GH, accumulate: true);
        else Gemm.Multiply(false, batch, hProjected, H, _wRZt!, gates, GH, accumulate: true);
        fixed (float* z = gates, hp = hProjected, rh = extra)
            for (int b = 0; b < batch; b++)
                GruResetBeforePointwise.ForwardGates(H, z + b * GH, hp + b * H, rh + b * H); // r, z; r ⊙ h
        // n block (B, H, stride 3H) += (r ⊙ h) · W_hnᵀ   (b_hn was folded into the input side)
        if (IsInt8) ProjectInt8(batch, extra, H, 2, 3, gates, GH, accumulate: true); // block 2 lands at column 2H
        else Gemm.Multiply(false, batch, extra, H, _wNt!, gates.Slice(2 * H), GH, accumulate: true);
        fixed (float* z = gates, hp = hCarried, ht = h)
            for (int b = 0; b < batch; b++)
                GruResetBeforePointwise.ForwardState(H, z + b * GH, hp + b * H, ht + b * H);
    }

    /// <summary>Resetting after: <paramref name="hProjected"/> enters the multiply, <paramref name="hCarried"/> the interpolation.</summary>
    private void ForwardResetAfter(int batch, Span<float> gates, ReadOnlySpan<float> hProjected, ReadOnlySpan<float> hCarried,
        Span<float> h, Span<float> extra, Span<float> scratch)
    {
        // rec (B, 3H) = (B, H) · W_hhᵀ: all three blocks in one multiply
        if (IsInt8) ProjectInt8(batch, hProjected, H, 0, G, scratch, GH, accumulate: false);
        else Gemm.Multiply(false, batch, hProjected, H, _whhT!, scratch, GH);
        GruSteps.Forward(batch, H, H, gates, scratch, BiasHh.Span, hCarried, extra, h);
    }

    // Recurrent dropout (Keras' GRUCell): the mask m_h acts on h_{t−1} where it enters a multiply —
    // resetting after, h_{t−1}·W_hhᵀ; resetting before, the r and z multiplies and r ⊙ h_{t−1} in
    // the n block's, so there r ⊙ (h_{t−1} ⊙ m_h) — while the interpolation z ⊙ h_{t−1} and dz's
    // (h_{t−1} − n) see the carried state. One mask for the three blocks (see GruSteps).
    public override void ForwardDropped(int batch, Span<float> gates, ReadOnlySpan<float> hDropped, ReadOnlySpan<float> hPrev,
        ReadOnlySpan<float> cPrev, Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
    {
        if (_resetAfter) ForwardResetAfter(batch, gates, hDropped, hPrev, h, extra, scratch);
        else ForwardResetBefore(batch, gates, hDropped, hPrev, h, extra);
    }

    public override void BackwardDropped(int batch, ReadOnlySpan<float> dh, ReadOnlySpan<float> dc, ReadOnlySpan<float> hDropped,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> mask, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev, Span<float> scratch)
    {
        if (!_resetAfter)
        {
            BackwardResetBefore(batch, dh, hDropped, hPrev, mask, gates, dgx, dhPrev);
            return;
        }
        GruSteps.Backward(batch, H, H, dh, hPrev, gates, extra, dgx, dgh, dhPrev, scratch);
        GruSteps.AddMaskedProjection(batch, H, dh, gates, mask, scratch, _whh!, dhPrev);
    }

    // Reset before: n needs (r ⊙ h_{t−1}) of every unit, so units are not independent.
    public override bool UnitsIndependent => _resetAfter;

    public override void ForwardUnits(int u0, int u1, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
    {
        if (!_resetAfter) throw new InvalidOperationException("A GRU that resets before the recurrent multiply cannot split its units.");
        ProjectUnits(u0, u1, hPrev, scratch, accumulate: false); // these units' columns of rec (3H) = (H) · W_hhᵀ
        fixed (float* z = gates, rec = scratch, hn = extra, bias = BiasHh.Span, hp = hPrev, ht = h)
            GruPointwise.ForwardResetAfter(u1 - u0, H, z + u0, rec + u0, bias + 2 * H + u0, hp + u0, hn + u0, ht + u0);
    }

    // dn = dh ⊙ (1 − z)           dz_n = dn ⊙ (1 − n²)
    // dz = dh ⊙ (h_{t−1} − n)     dz_z = dz ⊙ z(1 − z)
    // reset after:  dr = dz_n ⊙ (h·W_hnᵀ + b_hn);  the recurrent n-gradient is dz_n ⊙ r
    // reset before: d(r⊙h) = dz_n · W_hn;  dr = d(r⊙h) ⊙ h_{t−1};  dh_{t−1} gains d(r⊙h) ⊙ r
    //   (under recurrent dropout h_{t−1} ⊙ m_h in dr, and the multiplies' part of dh_{t−1} ⊙ m_h)
    // dz_r = dr ⊙ r(1 − r);   dh_{t−1} = dh ⊙ z + dgh · W_hh (over the blocks that saw h_{t−1})
    public override void Backward(int batch,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dc,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev, Span<float> scratch)
    {
        if (_resetAfter)
        {
            // The step's recurrent gradient (B, 3H) in the scratch; its n block is kept in dgh (B, H).
            GruSteps.Backward(batch, H, H, dh, hPrev, gates, extra, dgx, dgh, dhPrev, scratch);
            Gemm.Multiply(false, batch, scratch, GH, _whh!, dhPrev, H, accumulate: true); // (B, H) += (B, 3H)·(3H, H)
            return;
        }
        BackwardResetBefore(batch, dh, hPrev, hPrev, ReadOnlySpan<float>.Empty, gates, dgx, dhPrev);
    }

    /// <summary>
    /// Resetting before: the step back with <paramref name="hProjected"/> the h_{t−1} the
    /// multiplies saw and <paramref name="hCarried"/> the interpolation's. With the recurrent
    /// dropout <paramref name="mask"/> (B, H) (empty: none, and the two are the same),
    /// dh_{t−1} = (d(r⊙h) ⊙ r + dz_{r,z}·W_h{r,z}) ⊙ m_h + dh ⊙ z.
    /// </summary>
    private void BackwardResetBefore(int batch, ReadOnlySpan<float> dh, ReadOnlySpan<float> hProjected, ReadOnlySpan<float> hCarried,
        ReadOnlySpan<float> mask, ReadOnlySpan<float> gates, Span<float> dgx, Span<float> dhPrev)
    {
        fixed (float* g = gates, hp = hCarried, d = dh, dz = dgx)
            for (int b = 0; b < batch; b++)
                GruResetBeforePointwise.BackwardNZ(H, g + b * GH, hp + b * H, d + b * H, dz + b * GH);
        // d(r⊙h) (B, H) = dz_n (B, H, stride 3H) · W_hn (H, H); kept in dhPrev for now.
        Gemm.Multiply(false, batch, dgx.Slice(2 * H), GH, _wN!, dhPrev, H);
        bool dropped = !mask.IsEmpty;
        fixed (float* g = gates, hp = hProjected, d = dh, dz = dgx, drh = dhPrev)
            for (int b = 0; b < batch; b++) // dz_r; dhPrev = d(r⊙h) ⊙ r (+ the direct z path dh ⊙ z when nothing is dropped)
                GruResetBeforePointwise.BackwardR(H, g + b * GH, hp + b * H, dropped ? null : d + b * H, dz + b * GH, drh + b * H);
        // dh_{t−1} += dz_{r,z} (B, 2H, stride 3H) · W_h{r,z} (2H, H)
        Gemm.Multiply(false, batch, dgx, GH, _wRZ!, dhPrev, H, accumulate: true);
        if (dropped) GruSteps.MaskAndAddCarried(batch, H, dh, gates, mask, dhPrev);
    }

    public override void AccumulateRecurrentWeightGrad(int rows, ReadOnlySpan<float> dgx,
        ReadOnlySpan<float> dgh, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> extra, Span<float> dWeightHh)
    {
        // dW_h{r,z} (2H, H) += dz_{r,z}ᵀ · h_{t−1} (the loop passes h_{t−1} ⊙ m_h under recurrent dropout):
        // the r and z blocks of the recurrent gradient are dgx's
        Gemm.Multiply(true, false, 2 * H, H, rows, dgx, GH, hPrev, H, dWeightHh, H, accumulate: true);
        if (_resetAfter)
        {
            // dW_hn (H, H) += (r ⊙ dz_n)ᵀ · h_{t−1}
            Gemm.Multiply(true, false, H, H, rows, dgh, H, hPrev, H, dWeightHh.Slice(2 * H * H), H, accumulate: true);
            return;
        }
        // dW_hn (H, H) += dz_nᵀ · (r ⊙ h_{t−1})
        Gemm.Multiply(true, false, H, H, rows, dgx.Slice(2 * H), GH, extra, H, dWeightHh.Slice(2 * H * H), H, accumulate: true);
    }
}
