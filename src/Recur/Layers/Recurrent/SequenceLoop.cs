using Recur.Kernels;

namespace Recur.Layers.Recurrent;

// Shapes: T time, B batch, I input, H hidden, G gates, GH = G·H. Sequences are time-major here:
// x (T, B, I), so step t is the contiguous (B, I) block at t·B·I.

/// <summary>
/// The one loop that runs a cell over a sequence, forward and back through time, for one
/// direction of one layer. Masked steps (padding) keep the state, output zero and pass the
/// state's gradient straight through, so padded steps get no gradient.
/// </summary>
internal static class SequenceLoop
{
    /// <summary>
    /// Forward over time. <paramref name="x"/> (T, B, I); <paramref name="h0"/>, <paramref name="c0"/> (B, H);
    /// <paramref name="valid"/> (T, B) or null when every step is real. The buffers of
    /// <paramref name="reuse"/> (the previous pass of this direction) are reused when they fit.
    /// </summary>
    public static DirectionCache Forward(RecurrentCell cell, ReadOnlySpan<float> x, int steps, int batch, int inputSize,
        Tensor weightIh, Tensor biasIh, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, bool[]? valid, bool reverse,
        DirectionCache? reuse = null)
    {
        int H = cell.H, GH = cell.GH, B = batch, T = steps;
        var cache = reuse is not null && reuse.Fits(T, B, H, GH, reverse)
            ? reuse
            : new DirectionCache(T, B, H, GH, cell.ExtraWidth * H, cell.HasCellState, reverse);
        h0.CopyTo(cache.StateAt(cache.InitialSlot));
        if (cell.HasCellState) c0.CopyTo(cache.CellAt(cache.InitialSlot));

        // Gates (T·B, GH) = x (T·B, I) · W_ihᵀ + b_ih + (the constant part of b_hh): the input
        // projection of every step in one multiply, written where the step will finish it in place.
        Gemm.MatMulTransB(x, weightIh.Span, cache.Gates, T * B, GH, inputSize);
        var bias = biasIh.Span.ToArray();
        cell.FoldRecurrentBias(bias);
        for (int r = 0; r < T * B; r++)
        {
            var row = cache.Gates.AsSpan(r * GH, GH);
            for (int j = 0; j < GH; j++) row[j] += bias[j];
        }
        cell.PrepareForward();

        int E = cell.ExtraWidth * H;
        for (int s = 0; s < T; s++)
        {
            int t = reverse ? T - 1 - s : s;
            var hPrev = cache.StateAt(cache.PrevSlot(t));
            var cPrev = cache.CellAt(cache.PrevSlot(t));
            var h = cache.StateAt(cache.Slot(t));
            var c = cache.CellAt(cache.Slot(t));
            cell.Forward(B, cache.Gates.AsSpan(t * B * GH, B * GH), hPrev, cPrev, h, c, cache.Extra.AsSpan(t * B * E, B * E));
            if (valid is null) continue;
            var y = cache.MaskedOutput.AsSpan(t * B * H, B * H);
            h.CopyTo(y);
            for (int b = 0; b < B; b++)
            {
                if (valid[t * B + b]) continue;
                hPrev.Slice(b * H, H).CopyTo(h.Slice(b * H, H));
                if (cell.HasCellState) cPrev.Slice(b * H, H).CopyTo(c.Slice(b * H, H));
                y.Slice(b * H, H).Clear();
            }
        }
        return cache;
    }

    /// <summary>
    /// Back through time. <paramref name="dy"/> (T, B, H) is ∂L/∂output (null for none);
    /// <paramref name="dhN"/>, <paramref name="dcN"/> (B, H) the gradients of the final state
    /// (empty for none). Accumulates dW_ih, db_ih, dW_hh, db_hh and <paramref name="dx"/> (T, B, I);
    /// writes ∂L/∂h0 and ∂L/∂c0 into <paramref name="dh0"/>, <paramref name="dc0"/> (B, H).
    /// When <paramref name="stepGradientNorms"/> (T) is given, writes the norm of the gradient of the
    /// state carried out of each step t — ‖∂L/∂h_t‖₂ over the (B, H) block, for an LSTM
    /// √(‖∂L/∂h_t‖² + ‖∂L/∂c_t‖²) — into it (a diagnostic of vanishing and exploding gradients).
    /// </summary>
    public static void Backward(RecurrentCell cell, DirectionCache cache, ReadOnlySpan<float> x, int inputSize,
        Tensor weightIh, ReadOnlySpan<float> dy, ReadOnlySpan<float> dhN, ReadOnlySpan<float> dcN, bool[]? valid,
        Span<float> dWeightIh, Span<float> dBiasIh, Span<float> dWeightHh, Span<float> dBiasHh,
        Span<float> dx, Span<float> dh0, Span<float> dc0, Span<float> stepGradientNorms = default)
    {
        int H = cell.H, GH = cell.GH, B = cache.B, T = cache.T, E = cell.ExtraWidth * H, BH = B * H;
        bool lstm = cell.HasCellState;

        cell.PrepareBackward();
        var dgx = cache.GradGates;                                               // (T, B, GH)
        var dgh = cell.SeparateRecurrentGradient ? cache.GradRecurrent : dgx;    // (T, B, GH)
        var dhNext = new float[BH];   // ∂L/∂h_t arriving from step t+1 (processing order)
        var dcNext = new float[lstm ? BH : 0];
        var dh = new float[BH];       // total ∂L/∂h_t at the current step
        var dhPrev = new float[BH];
        var dcPrev = new float[lstm ? BH : 0];
        if (!dhN.IsEmpty) dhN.CopyTo(dhNext);
        if (lstm && !dcN.IsEmpty) dcN.CopyTo(dcNext);

        for (int s = T - 1; s >= 0; s--)
        {
            int t = cache.Reverse ? T - 1 - s : s;
            // dh_t = ∂L/∂y_t + dh from step t+1 (masked rows: nothing enters the cell)
            for (int k = 0; k < BH; k++) dh[k] = dhNext[k] + (dy.IsEmpty ? 0f : dy[t * BH + k]);
            if (!stepGradientNorms.IsEmpty)
            {
                // ‖∂L/∂s_t‖ for the state s_t carried out of step t: h_t (from y_t and step t+1),
                // and for an LSTM also c_t (from step t+1), where its long-range memory lives.
                double sum = 0;
                foreach (float g in dh) sum += (double)g * g;
                foreach (float g in dcNext) sum += (double)g * g;
                stepGradientNorms[t] = (float)Math.Sqrt(sum);
            }
            var dcIn = lstm ? (Span<float>)dcNext : Span<float>.Empty;
            if (valid is not null)
            {
                for (int b = 0; b < B; b++)
                {
                    if (valid[t * B + b]) continue;
                    dh.AsSpan(b * H, H).Clear();
                }
                if (lstm)
                {
                    dcIn = dcPrev; // borrow as scratch: the cell reads dc before writing dcPrev row by row
                    dcNext.CopyTo(dcIn);
                    for (int b = 0; b < B; b++)
                        if (!valid[t * B + b]) dcIn.Slice(b * H, H).Clear();
                }
            }
            var dgxT = dgx.AsSpan(t * B * GH, B * GH);
            var dghT = dgh.AsSpan(t * B * GH, B * GH);
            cell.Backward(B, dh, dcIn, cache.StateAt(cache.PrevSlot(t)), cache.CellAt(cache.PrevSlot(t)),
                cache.Gates.AsSpan(t * B * GH, B * GH), cache.Extra.AsSpan(t * B * E, B * E),
                dgxT, dghT, dhPrev, dcPrev);
            if (valid is not null)
            {
                // A padded step is the identity on the state: its gradient passes through untouched.
                for (int b = 0; b < B; b++)
                {
                    if (valid[t * B + b]) continue;
                    dgxT.Slice(b * GH, GH).Clear();
                    dghT.Slice(b * GH, GH).Clear();
                    dhNext.AsSpan(b * H, H).CopyTo(dhPrev.AsSpan(b * H, H));
                    if (lstm) dcNext.AsSpan(b * H, H).CopyTo(dcPrev.AsSpan(b * H, H));
                }
            }
            dhPrev.CopyTo(dhNext.AsSpan());
            if (lstm) dcPrev.CopyTo(dcNext.AsSpan());
        }
        dhNext.CopyTo(dh0);
        if (lstm) dcNext.CopyTo(dc0);

        int rows = T * B;
        // dW_ih (GH, I) += dgxᵀ (GH, T·B) · x (T·B, I);   db_ih += Σ_rows dgx
        Gemm.MatMulTransA(dgx, x, dWeightIh, GH, inputSize, rows, accumulate: true);
        Reductions.AddColumnSums(dgx, rows, GH, dBiasIh);
        // dx (T·B, I) += dgx (T·B, GH) · W_ih (GH, I)
        Gemm.MatMul(dgx, weightIh.Span, dx, rows, inputSize, GH, accumulate: true);
        // dW_hh, db_hh from the states that entered each step: one contiguous (T·B, H) block.
        cell.AccumulateRecurrentGrads(rows, dgh, cache.States.AsSpan(cache.FirstPrevSlot * BH, rows * H),
            cache.Extra, dWeightHh, dBiasHh);
    }
}
