using Recur.Kernels;

namespace Recur.Layers.Recurrent;

// Shapes: B batch, H hidden (the cell state's width), P projection size (the width of h),
// R = T·B rows; gates are laid out [i | f | g | o], each H wide (PyTorch order).

/// <summary>
/// The LSTM step with a recurrent projection (LSTMP, Sak et al. 2014; PyTorch's <c>proj_size</c>):
/// <code>
/// z = x·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh        W_hh (4H, P)
/// c_t = f ⊙ c_{t−1} + i ⊙ g                        (gates as in <see cref="LstmCell"/>)
/// u_t = o ⊙ tanh(c_t)                              (B, H)
/// h_t = u_t·W_hrᵀ                                   W_hr (P, H), h_t (B, P)
/// </code>
/// Caches the activated gates (B, 4H), tanh(c_t) and u_t (B, H each). The element-wise part is
/// <see cref="LstmPointwise"/>, unchanged: it writes u_t where the plain cell writes h_t.
/// The projection mixes units, so a one-row step is not split by units.
/// </summary>
internal sealed unsafe class LstmProjectedCell : RecurrentCell
{
    private readonly Tensor _weightHr;    // W_hr (P, H)
    private readonly Tensor _gradHr;      // ∂L/∂W_hr (P, H)
    private PackedMatrix? _whhT, _whh;    // W_hhᵀ (P, 4H): z += h·W_hhᵀ;  W_hh (4H, P): dh_{t−1} = dz·W_hh
    private readonly KeptPack _whhTPack = new(), _whrTPack = new(); // packed again only when the weights change
    private PackedMatrix? _whrT, _whr;    // W_hrᵀ (H, P): h = u·W_hrᵀ;    W_hr (P, H): du = dh·W_hr

    public LstmProjectedCell(int hiddenSize, Tensor weightHh, Tensor biasHh, Parameter weightHr)
        : base(hiddenSize, 4, weightHh, biasHh)
    {
        _weightHr = weightHr.Value;
        _gradHr = weightHr.Grad;
        P = _weightHr.Size(0);
    }

    /// <summary>Projection size P, the width of h.</summary>
    private int P { get; }

    public override bool HasCellState => true;

    public override int StateWidth => P;

    public override bool UnitsIndependent => false;

    public override bool KeepsStateGradients => true;

    public override int ExtraWidth => 2; // [tanh(c_t) | u_t]

    public override int ScratchWidth => 1; // du_t in backward

    public override void PrepareForward()
    {
        _whhT = _whhTPack.Pack(true, P, GH, WeightHh.Span, P);
        _whrT = _whrTPack.Pack(true, H, P, _weightHr.Span, H);
    }

    public override void PrepareBackward()
    {
        _whh = Gemm.Pack(false, GH, P, WeightHh.Span, P, _whh);
        _whr = Gemm.Pack(false, P, H, _weightHr.Span, H, _whr);
    }

    public override void Forward(int batch, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
    {
        // (B, 4H) += (B, P) · W_hhᵀ
        Gemm.Multiply(false, batch, hPrev, P, _whhT!, gates, GH, accumulate: true);
        fixed (float* z = gates, cp = cPrev, ct = c, e = extra)
            for (int b = 0; b < batch; b++)
            {
                float* row = e + b * 2 * H; // [tanh c | u]
                LstmPointwise.Forward(H, H, z + b * GH, cp + b * H, ct + b * H, row, row + H);
            }
        // h (B, P) = u (B, H) · W_hrᵀ, u read with row stride 2H from the cache
        Gemm.Multiply(false, batch, extra[H..], 2 * H, _whrT!, h, P);
    }

    public override void ForwardUnits(int u0, int u1, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
        => throw new InvalidOperationException("A projected LSTM step mixes units; it is never split by units.");

    // du = dh · W_hr;  dz, dc_{t−1} from LstmPointwise.Backward on du;  dh_{t−1} = dz · W_hh
    public override void Backward(int batch,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dc,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev, Span<float> scratch)
    {
        // du (B, H) = dh (B, P) · W_hr (P, H)
        Gemm.Multiply(false, batch, dh, P, _whr!, scratch, H);
        fixed (float* g = gates, e = extra, cp = cPrev, du = scratch, dct = dc, dz = dgx, dcp = dcPrev)
            for (int b = 0; b < batch; b++)
                LstmPointwise.Backward(H, g + b * GH, e + b * 2 * H, cp + b * H, du + b * H, dct + b * H, dz + b * GH, dcp + b * H);
        // (B, P) = (B, 4H) · (4H, P)
        Gemm.Multiply(false, batch, dgx, GH, _whh!, dhPrev, P);
    }

    // dW_hr (P, H) += Σ_rows dh_tᵀ · u_t: (R, P)ᵀ · (R, H), u read with row stride 2H
    public override void AccumulateStateGradients(int rows, ReadOnlySpan<float> dh, ReadOnlySpan<float> extra)
        => Gemm.Multiply(true, false, P, H, rows, dh, P, extra[H..], 2 * H, _gradHr.Span, H, accumulate: true);
}
