using Recur.Kernels;

namespace Recur.Layers.Recurrent;

// Shapes: B batch, H hidden; gates are laid out [i | f | g | o], each H wide (PyTorch order;
// Keras' i, f, c, o is the same order).

/// <summary>
/// The LSTM step (Hochreiter &amp; Schmidhuber 1997, with forget gate):
/// <code>
/// i = σ(z_i)   f = σ(z_f)   g = tanh(z_g)   o = σ(z_o)      z = x·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh
/// c_t = f ⊙ c_{t−1} + i ⊙ g
/// h_t = o ⊙ tanh(c_t)
/// </code>
/// Caches the activated gates (B, 4H) and tanh(c_t) (B, H). The element-wise math is
/// <see cref="LstmPointwise"/>.
/// </summary>
internal sealed unsafe class LstmCell : RecurrentCell
{
    private PackedMatrix? _whhT; // W_hhᵀ (H, 4H): z += h·W_hhᵀ
    private readonly KeptPack _whhTPack = new(); // packed again only when the weights change
    private PackedMatrix? _whh;  // W_hh (4H, H):  dh_{t−1} = dz·W_hh

    public LstmCell(int hiddenSize, Tensor weightHh, Tensor biasHh) : base(hiddenSize, 4, weightHh, biasHh) { }

    public override bool HasCellState => true;

    public override int ExtraWidth => 1; // tanh(c_t)

    public override void PrepareForward()
    {
        if (!IsInt8) _whhT = _whhTPack.Pack(true, H, GH, WeightHh.Span, H);
    }

    public override void PrepareBackward() => _whh = Gemm.Pack(false, GH, H, WeightHh.Span, H, _whh);

    public override void Forward(int batch, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
    {
        // (B, 4H) += (B, H) · W_hhᵀ
        if (IsInt8) ProjectInt8(batch, hPrev, H, 0, G, gates, GH, accumulate: true);
        else Gemm.Multiply(false, batch, hPrev, H, _whhT!, gates, GH, accumulate: true);
        fixed (float* z = gates, cp = cPrev, ct = c, tc = extra, ht = h)
            for (int b = 0; b < batch; b++)
                LstmPointwise.Forward(H, H, z + b * GH, cp + b * H, ct + b * H, tc + b * H, ht + b * H);
    }

    public override void ForwardUnits(int u0, int u1, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
    {
        ProjectUnits(u0, u1, hPrev, gates, accumulate: true); // these units' columns of (4H) += (H) · W_hhᵀ
        fixed (float* z = gates, cp = cPrev, ct = c, tc = extra, ht = h)
            LstmPointwise.Forward(u1 - u0, H, z + u0, cp + u0, ct + u0, tc + u0, ht + u0);
    }

    // dz from LstmPointwise.Backward;  dh_{t−1} = dz · W_hh
    public override void Backward(int batch,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dc,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev, Span<float> scratch)
    {
        fixed (float* g = gates, tc = extra, cp = cPrev, dht = dh, dct = dc, dz = dgx, dcp = dcPrev)
            for (int b = 0; b < batch; b++)
                LstmPointwise.Backward(H, g + b * GH, tc + b * H, cp + b * H, dht + b * H, dct + b * H, dz + b * GH, dcp + b * H);
        // (B, H) = (B, 4H) · (4H, H)
        Gemm.Multiply(false, batch, dgx, GH, _whh!, dhPrev, H);
    }
}
