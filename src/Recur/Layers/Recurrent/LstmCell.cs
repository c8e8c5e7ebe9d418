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
/// Caches the activated gates (B, 4H) and tanh(c_t) (B, H).
/// </summary>
internal sealed class LstmCell : RecurrentCell
{
    public LstmCell(int hiddenSize, Tensor weightHh, Tensor biasHh) : base(hiddenSize, 4, weightHh, biasHh) { }

    public override bool HasCellState => true;

    public override int ExtraWidth => 1; // tanh(c_t)

    public override void Forward(int batch,
        ReadOnlySpan<float> gx, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> gates, Span<float> extra)
    {
        PreActivation(batch, gx, hPrev, gates); // (B, 4H) pre-activations, activated in place below
        for (int b = 0; b < batch; b++)
        {
            var z = gates.Slice(b * GH, GH);
            var i = z.Slice(0, H);
            var f = z.Slice(H, H);
            var g = z.Slice(2 * H, H);
            var o = z.Slice(3 * H, H);
            Activations.Sigmoid(i);
            Activations.Sigmoid(f);
            Activations.Tanh(g);
            Activations.Sigmoid(o);
            var cp = cPrev.Slice(b * H, H);
            var ct = c.Slice(b * H, H);
            var ht = h.Slice(b * H, H);
            var tc = extra.Slice(b * H, H);
            for (int j = 0; j < H; j++)
            {
                ct[j] = f[j] * cp[j] + i[j] * g[j];
                tc[j] = MathF.Tanh(ct[j]);
                ht[j] = o[j] * tc[j];
            }
        }
    }

    // dc_t   = dh_t ⊙ o ⊙ (1 − tanh²c_t) + dc_{t+1}·(carried in dc)
    // do     = dh_t ⊙ tanh c_t          dz_o = do ⊙ o(1 − o)
    // di     = dc_t ⊙ g                 dz_i = di ⊙ i(1 − i)
    // df     = dc_t ⊙ c_{t−1}           dz_f = df ⊙ f(1 − f)
    // dg     = dc_t ⊙ i                 dz_g = dg ⊙ (1 − g²)
    // dc_{t−1} = dc_t ⊙ f               dh_{t−1} = dz · W_hh
    public override void Backward(int batch,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dc,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev)
    {
        for (int b = 0; b < batch; b++)
        {
            var z = gates.Slice(b * GH, GH);
            var i = z.Slice(0, H);
            var f = z.Slice(H, H);
            var g = z.Slice(2 * H, H);
            var o = z.Slice(3 * H, H);
            var tc = extra.Slice(b * H, H);
            var cp = cPrev.Slice(b * H, H);
            var dht = dh.Slice(b * H, H);
            var dct = dc.Slice(b * H, H);
            var dz = dgx.Slice(b * GH, GH);
            var dcp = dcPrev.Slice(b * H, H);
            for (int j = 0; j < H; j++)
            {
                float dcTotal = dct[j] + dht[j] * o[j] * (1f - tc[j] * tc[j]);
                float dO = dht[j] * tc[j];
                dz[j] = dcTotal * g[j] * i[j] * (1f - i[j]);
                dz[H + j] = dcTotal * cp[j] * f[j] * (1f - f[j]);
                dz[2 * H + j] = dcTotal * i[j] * (1f - g[j] * g[j]);
                dz[3 * H + j] = dO * o[j] * (1f - o[j]);
                dcp[j] = dcTotal * f[j];
            }
        }
        if (!dgh.Overlaps(dgx)) dgx.Slice(0, batch * GH).CopyTo(dgh);
        // (B, H) = (B, 4H) · (4H, H)
        Gemm.MatMul(dgx, WeightHh.Span, dhPrev, batch, H, GH);
    }
}
