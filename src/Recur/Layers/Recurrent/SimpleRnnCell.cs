using System.Numerics;
using Recur.Kernels;

namespace Recur.Layers.Recurrent;

/// <summary>
/// The Elman step: <c>h_t = act(x·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)</c> with act = tanh or relu.
/// Caches the activated output h_t (B, H) as its single gate.
/// </summary>
internal sealed class SimpleRnnCell : RecurrentCell
{
    private readonly RnnActivation _activation;
    private PackedMatrix? _whhT; // W_hhᵀ (H, H)
    private readonly KeptPack _whhTPack = new(); // packed again only when the weights change
    private PackedMatrix? _whh;  // W_hh (H, H)

    public SimpleRnnCell(int hiddenSize, RnnActivation activation, Tensor weightHh, Tensor biasHh)
        : base(hiddenSize, 1, weightHh, biasHh)
    {
        _activation = activation;
    }

    public override void PrepareForward()
    {
        if (!IsInt8) _whhT = _whhTPack.Pack(true, H, H, WeightHh.Span, H);
    }

    public override void PrepareBackward() => _whh = Gemm.Pack(false, H, H, WeightHh.Span, H, _whh);

    public override void Forward(int batch, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
    {
        var act = gates.Slice(0, batch * H); // (B, H)
        if (IsInt8) ProjectInt8(batch, hPrev, H, 0, 1, act, H, accumulate: true);
        else Gemm.Multiply(false, batch, hPrev, H, _whhT!, act, H, accumulate: true);
        if (_activation == RnnActivation.Tanh) FastActivations.Tanh(act);
        else Activations.Relu(act);
        act.CopyTo(h);
    }

    public override void ForwardUnits(int u0, int u1, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
    {
        ProjectUnits(u0, u1, hPrev, gates, accumulate: true); // (H) += (H) · W_hhᵀ, these units' columns
        var act = gates.Slice(u0, u1 - u0);
        if (_activation == RnnActivation.Tanh) FastActivations.Tanh(act);
        else Activations.Relu(act);
        act.CopyTo(h.Slice(u0));
    }

    // dz = dh ⊙ act'(z): tanh' = 1 − h², relu' = [h > 0];  dh_{t−1} = dz · W_hh
    public override void Backward(int batch,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dc,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev, Span<float> scratch)
    {
        int n = batch * H, k = 0;
        if (_activation == RnnActivation.Tanh)
        {
            if (Vector.IsHardwareAccelerated)
                for (; k + Vector<float>.Count <= n; k += Vector<float>.Count)
                {
                    var g = new Vector<float>(gates.Slice(k));
                    (new Vector<float>(dh.Slice(k)) * (Vector<float>.One - g * g)).CopyTo(dgx.Slice(k));
                }
            for (; k < n; k++) dgx[k] = dh[k] * (1f - gates[k] * gates[k]);
        }
        else
        {
            for (; k < n; k++) dgx[k] = gates[k] > 0f ? dh[k] : 0f;
        }
        Gemm.Multiply(false, batch, dgx, H, _whh!, dhPrev, H);
    }
}
