using Recur.Kernels;

namespace Recur.Layers.Recurrent.Normalized;

// Shapes: B batch, H hidden, G gates, GH = G·H, R = T·B rows, E = ExtraWidth·H.

/// <summary>
/// What the layer-normalised cells (Ba et al. 2016, supplementary equations) share: the two
/// projections normalised separately, each over its GH pre-activations, with a learned gain,
/// <code>
/// a_t = α_x ⊙ LN(x_t·W_ihᵀ) + b_ih + α_h ⊙ LN(h_{t−1}·W_hhᵀ) + b_hh
/// </code>
/// b_ih and b_hh are the normalisations' biases (the paper's β_x and β_h; its third bias b is
/// their sum's duplicate, so it is left out). The input side is normalised once per sequence
/// over all T·B rows (<see cref="NormalizeInputProjection"/>), the recurrent side at every step.
/// Normalising mixes the units of a row, so a one-row step is never split by units.
/// </summary>
/// <remarks>
/// Gradients of the gains are accumulated after the loop, over all rows at once, from what the
/// steps left: a step runs on one block of rows and must not write a shared gradient.
/// </remarks>
internal abstract class NormalizedCell : RecurrentCell
{
    private float[] _inputHat = [];    // (R, GH) LN(x·W_ihᵀ) before the gain
    private float[] _inputRstd = [];   // (R)
    private float[] _inputGrad = [];   // (R, GH) ∂L/∂(x·W_ihᵀ)
    private float[] _recurrentGrad = []; // (R, GH) ∂L/∂(h_{t−1}·W_hhᵀ)

    protected NormalizedCell(int hiddenSize, int gateCount, Tensor weightHh, Tensor biasHh, LayerNormWeights norm)
        : base(hiddenSize, gateCount, weightHh, biasHh)
    {
        Norm = norm;
    }

    protected LayerNormWeights Norm { get; }

    public override bool UnitsIndependent => false;

    public override void ForwardUnits(int u0, int u1, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
        => throw new InvalidOperationException("A layer-normalised step mixes units; it is never split by units.");

    /// <summary>Offset in a row of the extra cache of LN(h_{t−1}·W_hhᵀ) before the gain (GH floats).</summary>
    protected abstract int RecurrentHatOffset { get; }

    /// <summary>Offset in a row of the extra cache of the recurrent normalisation's rstd (one float).</summary>
    protected abstract int RecurrentRstdOffset { get; }

    /// <summary>Writes ∂L/∂(α_h ⊙ LN(h·W_hhᵀ)) of row <paramref name="row"/> (GH) from the step gradients.</summary>
    protected abstract void RecurrentOutputGradient(int row, ReadOnlySpan<float> dgx, ReadOnlySpan<float> dgh, Span<float> dst);

    public override void NormalizeInputProjection(int rows, Span<float> gates)
    {
        int GH = this.GH;
        if (_inputHat.Length < rows * GH) (_inputHat, _inputRstd) = (new float[rows * GH], new float[rows]);
        var gain = Norm.InputGain.Value.Span;
        for (int r = 0; r < rows; r++)
        {
            var row = gates.Slice(r * GH, GH);
            var hat = _inputHat.AsSpan(r * GH, GH);
            _inputRstd[r] = RowNorm.Forward(row, hat);
            for (int k = 0; k < GH; k++) row[k] = gain[k] * hat[k];
        }
    }

    // dα_x += Σ_rows dgx ⊙ x̂;   ∂L/∂(x·W_ihᵀ) = LN'(dgx ⊙ α_x)
    public override ReadOnlySpan<float> InputProjectionGradient(int rows, ReadOnlySpan<float> dgx)
    {
        int GH = this.GH;
        if (_inputGrad.Length < rows * GH) _inputGrad = new float[rows * GH];
        var gain = Norm.InputGain.Value.Span;
        var dGain = Norm.InputGain.Grad.Span;
        for (int r = 0; r < rows; r++)
        {
            var d = dgx.Slice(r * GH, GH);
            var hat = _inputHat.AsSpan(r * GH, GH);
            var dst = _inputGrad.AsSpan(r * GH, GH);
            for (int k = 0; k < GH; k++)
            {
                dGain[k] += d[k] * hat[k];
                dst[k] = d[k] * gain[k];
            }
            RowNorm.Backward(dst, hat, _inputRstd[r], dst);
        }
        return _inputGrad.AsSpan(0, rows * GH);
    }

    /// <summary>rec (GH) = h_{t−1}·W_hhᵀ → α_h ⊙ LN(rec) in place, LN(rec) into <paramref name="hat"/>; returns rstd.</summary>
    protected float NormalizeRecurrentRow(Span<float> rec, Span<float> hat)
    {
        float rstd = RowNorm.Forward(rec, hat);
        var gain = Norm.RecurrentGain.Value.Span;
        for (int k = 0; k < rec.Length; k++) rec[k] = gain[k] * hat[k];
        return rstd;
    }

    /// <summary>∂L/∂rec (GH) from ∂L/∂(α_h ⊙ LN(rec)) (GH); <paramref name="dRec"/> may be <paramref name="dOut"/>.</summary>
    protected void RecurrentRowGradient(ReadOnlySpan<float> dOut, ReadOnlySpan<float> hat, float rstd, Span<float> dRec)
    {
        var gain = Norm.RecurrentGain.Value.Span;
        for (int k = 0; k < dOut.Length; k++) dRec[k] = dOut[k] * gain[k];
        RowNorm.Backward(dRec, hat, rstd, dRec);
    }

    // dα_h += Σ_rows ∂L/∂(α_h ⊙ ĥ) ⊙ ĥ;  dW_hh (GH, H) += (∂L/∂rec)ᵀ (GH, R) · h_{t−1} (R, H)
    public override void AccumulateRecurrentWeightGrad(int rows, ReadOnlySpan<float> dgx,
        ReadOnlySpan<float> dgh, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> extra, Span<float> dWeightHh)
    {
        int GH = this.GH, E = ExtraWidth * H;
        if (_recurrentGrad.Length < rows * GH) _recurrentGrad = new float[rows * GH];
        var dGain = Norm.RecurrentGain.Grad.Span;
        for (int r = 0; r < rows; r++)
        {
            var d = _recurrentGrad.AsSpan(r * GH, GH);
            RecurrentOutputGradient(r, dgx, dgh, d);
            var row = extra.Slice(r * E, E);
            var hat = row.Slice(RecurrentHatOffset, GH);
            for (int k = 0; k < GH; k++) dGain[k] += d[k] * hat[k];
            RecurrentRowGradient(d, hat, row[RecurrentRstdOffset], d);
        }
        Gemm.MatMulTransA(_recurrentGrad.AsSpan(0, rows * GH), hPrev, dWeightHh, GH, H, rows, accumulate: true);
    }
}
