using Recur.Kernels;

namespace Recur.Layers.Recurrent;

/// <summary>
/// The Elman step: <c>h_t = act(x·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)</c> with act = tanh or relu.
/// Caches the activated output h_t (B, H) as its single gate.
/// </summary>
internal sealed class SimpleRnnCell : RecurrentCell
{
    private readonly RnnActivation _activation;

    public SimpleRnnCell(int hiddenSize, RnnActivation activation, Tensor weightHh, Tensor biasHh)
        : base(hiddenSize, 1, weightHh, biasHh)
    {
        _activation = activation;
    }

    public override void Forward(int batch,
        ReadOnlySpan<float> gx, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> gates, Span<float> extra)
    {
        var act = gates.Slice(0, batch * H); // (B, H)
        PreActivation(batch, gx, hPrev, act);
        if (_activation == RnnActivation.Tanh) Activations.Tanh(act);
        else Activations.Relu(act);
        act.CopyTo(h);
    }

    // dz = dh ⊙ act'(z): tanh' = 1 − h², relu' = [h > 0];  dh_{t−1} = dz · W_hh
    public override void Backward(int batch,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dc,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev)
    {
        int n = batch * H;
        if (_activation == RnnActivation.Tanh)
            for (int k = 0; k < n; k++) dgx[k] = dh[k] * (1f - gates[k] * gates[k]);
        else
            for (int k = 0; k < n; k++) dgx[k] = gates[k] > 0f ? dh[k] : 0f;
        if (!dgh.Overlaps(dgx)) dgx.Slice(0, n).CopyTo(dgh);
        Gemm.MatMul(dgx, WeightHh.Span, dhPrev, batch, H, H);
    }
}
