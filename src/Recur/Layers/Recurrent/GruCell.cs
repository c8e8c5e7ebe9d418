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
/// or <c>r ⊙ h</c> (reset before).
/// </summary>
internal sealed class GruCell : RecurrentCell
{
    private readonly bool _resetAfter;

    public GruCell(int hiddenSize, bool resetAfter, Tensor weightHh, Tensor biasHh)
        : base(hiddenSize, 3, weightHh, biasHh)
    {
        _resetAfter = resetAfter;
    }

    public override int ExtraWidth => 1;

    public override void Forward(int batch,
        ReadOnlySpan<float> gx, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> gates, Span<float> extra)
    {
        var whh = WeightHh.Span;
        var bhh = BiasHh.Span;
        // gates (B, 3H) first holds the recurrent projection of r and z (and n when resetting after).
        gates.Slice(0, batch * GH).Clear();
        if (_resetAfter)
        {
            Gemm.MatMulTransB(hPrev, whh, gates, batch, GH, H); // (B, 3H) = (B, H)·(3H, H)ᵀ
        }
        else
        {
            // (B, 2H) block of a (B, 3H) matrix = (B, H)·W_h{r,z}ᵀ
            Gemm.Multiply(false, true, batch, 2 * H, H, hPrev, H, whh, H, gates, GH, accumulate: false);
        }
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * GH, GH);
            var x = gx.Slice(b * GH, GH);
            var hp = hPrev.Slice(b * H, H);
            var ex = extra.Slice(b * H, H);
            for (int j = 0; j < 2 * H; j++) row[j] = Activations.Sigmoid(x[j] + row[j] + bhh[j]);
            if (_resetAfter)
                for (int j = 0; j < H; j++) ex[j] = row[2 * H + j] + bhh[2 * H + j]; // h·W_hnᵀ + b_hn
            else
                for (int j = 0; j < H; j++) ex[j] = row[j] * hp[j];                  // r ⊙ h
        }
        if (!_resetAfter)
        {
            // n's recurrent term: (B, H) = (r ⊙ h)(B, H) · W_hnᵀ, W_hn = rows 2H..3H of W_hh
            var hn = h.Slice(0, batch * H); // h is free until the update below; use it as scratch
            Gemm.MatMulTransB(extra, whh.Slice(2 * H * H), hn, batch, H, H);
            for (int b = 0; b < batch; b++)
            {
                var row = gates.Slice(b * GH, GH);
                for (int j = 0; j < H; j++) row[2 * H + j] = hn[b * H + j] + bhh[2 * H + j];
            }
        }
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * GH, GH);
            var x = gx.Slice(b * GH, GH);
            var hp = hPrev.Slice(b * H, H);
            var ex = extra.Slice(b * H, H);
            var ht = h.Slice(b * H, H);
            for (int j = 0; j < H; j++)
            {
                float r = row[j], z = row[H + j];
                float recurrent = _resetAfter ? r * ex[j] : row[2 * H + j];
                float n = MathF.Tanh(x[2 * H + j] + recurrent);
                row[2 * H + j] = n;
                ht[j] = (1f - z) * n + z * hp[j];
            }
        }
    }

    // dn = dh ⊙ (1 − z)           dz_n = dn ⊙ (1 − n²)
    // dz = dh ⊙ (h_{t−1} − n)     dz_z = dz ⊙ z(1 − z)
    // reset after:  dr = dz_n ⊙ (h·W_hnᵀ + b_hn);  the recurrent n-gradient is dz_n ⊙ r
    // reset before: d(r⊙h) = dz_n · W_hn;  dr = d(r⊙h) ⊙ h_{t−1};  dh_{t−1} gains d(r⊙h) ⊙ r
    // dz_r = dr ⊙ r(1 − r);   dh_{t−1} = dh ⊙ z + dgh · W_hh (over the blocks that saw h_{t−1})
    public override void Backward(int batch,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dc,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev)
    {
        var whh = WeightHh.Span;
        // Pass 1: dz_n and dz_z, which need no matmul.
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * GH, GH);
            var d = dgx.Slice(b * GH, GH);
            var dht = dh.Slice(b * H, H);
            var hp = hPrev.Slice(b * H, H);
            for (int j = 0; j < H; j++)
            {
                float z = row[H + j], n = row[2 * H + j];
                d[2 * H + j] = dht[j] * (1f - z) * (1f - n * n);
                d[H + j] = dht[j] * (hp[j] - n) * z * (1f - z);
            }
        }
        if (_resetAfter)
        {
            for (int b = 0; b < batch; b++)
            {
                var row = gates.Slice(b * GH, GH);
                var d = dgx.Slice(b * GH, GH);
                var dr = dgh.Slice(b * GH, GH);
                var ex = extra.Slice(b * H, H);
                for (int j = 0; j < H; j++)
                {
                    float r = row[j];
                    d[j] = d[2 * H + j] * ex[j] * r * (1f - r);
                    dr[j] = d[j];
                    dr[H + j] = d[H + j];
                    dr[2 * H + j] = d[2 * H + j] * r;
                }
            }
            Gemm.MatMul(dgh, whh, dhPrev, batch, H, GH); // (B, H) = (B, 3H)·(3H, H)
        }
        else
        {
            // d(r⊙h) (B, H) = dz_n (B, H, stride 3H) · W_hn (H, H); kept in dhPrev for now.
            Gemm.Multiply(false, false, batch, H, H, dgx.Slice(2 * H), GH, whh.Slice(2 * H * H), H, dhPrev, H);
            for (int b = 0; b < batch; b++)
            {
                var row = gates.Slice(b * GH, GH);
                var d = dgx.Slice(b * GH, GH);
                var dr = dgh.Slice(b * GH, GH);
                var hp = hPrev.Slice(b * H, H);
                var drh = dhPrev.Slice(b * H, H);
                for (int j = 0; j < H; j++)
                {
                    float r = row[j];
                    d[j] = drh[j] * hp[j] * r * (1f - r);
                    drh[j] *= r; // d(r⊙h)/dh_{t−1} part
                }
                d.CopyTo(dr);
            }
            // dh_{t−1} += dz_{r,z} (B, 2H, stride 3H) · W_h{r,z} (2H, H)
            Gemm.Multiply(false, false, batch, H, 2 * H, dgh, GH, whh, H, dhPrev, H, accumulate: true);
        }
        for (int b = 0; b < batch; b++)
        {
            var dht = dh.Slice(b * H, H);
            var z = gates.Slice(b * GH + H, H);
            var dhp = dhPrev.Slice(b * H, H);
            for (int j = 0; j < H; j++) dhp[j] += dht[j] * z[j];
        }
    }

    public override void AccumulateRecurrentGrads(int rows,
        ReadOnlySpan<float> dgh, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> extra,
        Span<float> dWeightHh, Span<float> dBiasHh)
    {
        if (_resetAfter)
        {
            base.AccumulateRecurrentGrads(rows, dgh, hPrev, extra, dWeightHh, dBiasHh);
            return;
        }
        // dW_h{r,z} (2H, H) += dz_{r,z}ᵀ · h_{t−1};   dW_hn (H, H) += dz_nᵀ · (r ⊙ h_{t−1})
        Gemm.Multiply(true, false, 2 * H, H, rows, dgh, GH, hPrev, H, dWeightHh, H, accumulate: true);
        Gemm.Multiply(true, false, H, H, rows, dgh.Slice(2 * H), GH, extra, H, dWeightHh.Slice(2 * H * H), H, accumulate: true);
        Reductions.AddColumnSums(dgh, rows, GH, dBiasHh);
    }

    public override bool SeparateRecurrentGradient => true;
}
