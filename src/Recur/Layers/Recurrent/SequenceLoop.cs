using Recur.Kernels;

namespace Recur.Layers.Recurrent;

// Shapes: T time, B batch, I input, H hidden, G gates, GH = G·H, S the width of h (H, or the
// projection size P of a projected LSTM), C the width of c (H). Sequences are time-major here:
// x (T, B, I), so step t is the contiguous (B, I) block at t·B·I.

/// <summary>
/// The one loop that runs a cell over a sequence, forward and back through time, for one
/// direction of one layer. Masked steps (padding) keep the state, output zero and pass the
/// state's gradient straight through, so padded steps get no gradient.
/// </summary>
/// <remarks>
/// <para>Around the loop sit the large multiplies: the input projection of every step before it,
/// the weight and input gradients over all T·B rows after it. Inside it, a step only adds the
/// recurrent projection and runs the cell's fused element-wise pass.</para>
/// <para>Batch rows never mix inside a step: row b of h_t depends only on row b of h_{t−1}, and
/// the same holds for the gradients going back. So the rows are cut into blocks (see
/// <see cref="RowBlocks"/>) and each thread runs the whole time loop on its own block, one
/// hand-off per sequence instead of one per step. A one-row batch (streaming) cannot be cut by
/// rows: its hidden units are split instead, with a hand-over at every step
/// (<see cref="UnitSteps"/>). Every element is computed by the same operations whatever the
/// split, so results do not depend on the thread count.</para>
/// </remarks>
internal static unsafe partial class SequenceLoop
{
    /// <summary>Smallest block of batch rows one thread takes: one row panel of the GEMM micro-kernel.</summary>
    private const int MinRowsPerBlock = 8;

    /// <summary>
    /// Forward over time. <paramref name="x"/> (T, B, I); <paramref name="h0"/>, <paramref name="c0"/> (B, H);
    /// <paramref name="valid"/> (T, B) or null when every step is real. The buffers of
    /// <paramref name="reuse"/> (the previous pass of this direction) are reused, as views of this
    /// pass's size, when they are large enough, whatever the previous pass's T and B.
    /// <paramref name="dropout"/>: the variational dropout masks of a training pass, or null;
    /// <paramref name="zoneout"/>: the zoneout of the pass, or null. <paramref name="int8WeightIh"/>:
    /// W_ih quantised to int8 (inference of a quantised layer), or null for the float product.
    /// </summary>
    public static DirectionCache Forward(RecurrentCell cell, ReadOnlySpan<float> x, int steps, int batch, int inputSize,
        Tensor weightIh, Tensor biasIh, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, bool[]? valid, bool reverse,
        DirectionCache? reuse = null, VariationalDropout? dropout = null, Zoneout? zoneout = null, QuantizedMatrix? int8WeightIh = null)
    {
        int H = cell.H, S = cell.StateWidth, GH = cell.GH, B = batch, T = steps;
        DirectionCache cache;
        if (reuse is not null && reuse.Fits(S, GH, reverse, cell.HasCellState ? H : 0))
        {
            cache = reuse;
            cache.Begin(T, B); // its buffers as views of this pass's size, grown only when too small
        }
        else cache = new DirectionCache(T, B, S, GH, cell.ExtraWidth * H, cell.ScratchWidth * H, cell.HasCellState, reverse, H);
        h0.CopyTo(cache.StateAt(cache.InitialSlot));
        if (cell.HasCellState) c0.CopyTo(cache.CellAt(cache.InitialSlot));
        cache.Dropout = dropout;
        cache.Zoneout = zoneout;
        if (dropout?.Input is { } inputMask)
        {
            // x ⊙ m_x (T, B, I): dW_ih needs the dropped inputs again in backward.
            var dropped = cache.DroppedInput(T * B * inputSize);
            VariationalDropout.Apply(x, inputMask, T, dropped);
            x = dropped;
        }
        if (dropout?.Recurrent is not null) _ = cache.DroppedPrev; // allocated here, before the threads share it

        // Gates (T·B, GH) = x (T·B, I) · W_ihᵀ: the input projection of every step in one multiply,
        // written where the step will finish it in place (after adding b_ih + the folded b_hh).
        // A batch mostly of padding projects its real steps only (see ProjectRealRows).
        if (int8WeightIh is not null) Int8Gemm.MultiplyRows(x, T * B, inputSize, int8WeightIh, cache.Gates);
        else if (valid is null || !ProjectRealRows(x, valid, inputSize, weightIh, cache.Gates, GH))
            Gemm.MatMulTransB(x, weightIh.Span, cache.Gates, T * B, GH, inputSize);
        cell.NormalizeInputProjection(T * B, cache.Gates);
        biasIh.Span.CopyTo(cache.Bias);
        cell.FoldRecurrentBias(cache.Bias);
        if (valid is not null) _ = cache.MaskedOutput; // allocated here, before the threads share it

        if (B == 1 && cell.UnitsIndependent && dropout?.Recurrent is null && zoneout is null)
        {
            // One row: split the units of each step (the batch cannot be split).
            cell.PrepareForwardUnits();
            UnitSteps.Run(cell, cache, valid);
        }
        else
        {
            cell.PrepareForward();
            RowBlocks.Run(RowBlocks.Pass.Forward, cell, cache, valid, null, null);
        }
        return cache;
    }

    /// <summary>
    /// Step t forward for a one-row batch, units [u0, u1) only (<see cref="UnitSteps"/>): the
    /// same operations as <see cref="ForwardRows"/> on these units.
    /// </summary>
    private static void ForwardUnits(RecurrentCell cell, DirectionCache cache, bool[]? valid, int t, int u0, int u1)
    {
        int H = cell.H, GH = cell.GH;
        var gates = cache.Gates.AsSpan(t * GH, GH);
        var bias = cache.Bias;
        for (int g = 0; g < cell.G; g++)
        {
            var block = gates.Slice(g * H + u0, u1 - u0);
            Reductions.AddToEachRow(block, 1, u1 - u0, bias.AsSpan(g * H + u0, u1 - u0));
        }
        var hPrev = cache.StateAt(cache.PrevSlot(t));
        var cPrev = cache.CellAt(cache.PrevSlot(t));
        var h = cache.StateAt(cache.Slot(t));
        var c = cache.CellAt(cache.Slot(t));
        int E = cell.ExtraWidth * H;
        cell.ForwardUnits(u0, u1, gates, hPrev, cPrev, h, c, cache.Extra.AsSpan(t * E, E), cache.Scratch);
        if (valid is null) return;
        int n = u1 - u0;
        var y = cache.MaskedOutput.AsSpan(t * H + u0, n);
        if (valid[t])
        {
            h.Slice(u0, n).CopyTo(y);
            return;
        }
        hPrev.Slice(u0, n).CopyTo(h.Slice(u0, n));
        if (!c.IsEmpty) cPrev.Slice(u0, n).CopyTo(c.Slice(u0, n));
        y.Clear();
    }

    /// <summary>The time loop forward, for batch rows [b0, b0 + nb).</summary>
    private static void ForwardRows(RecurrentCell cell, DirectionCache cache, bool[]? valid, int b0, int nb)
    {
        int H = cell.H, GH = cell.GH, B = cache.B, T = cache.T, E = cell.ExtraWidth * H, SW = cell.ScratchWidth * H;
        int S = cell.StateWidth, C = cache.C;
        var scratch = cache.Scratch.AsSpan(b0 * SW, nb * SW);
        for (int s = 0; s < T; s++)
        {
            int t = cache.Reverse ? T - 1 - s : s;
            var hPrev = cache.StateRows(cache.PrevSlot(t), b0, nb);
            var cPrev = cache.CellRows(cache.PrevSlot(t), b0, nb);
            var h = cache.StateRows(cache.Slot(t), b0, nb);
            var c = cache.CellRows(cache.Slot(t), b0, nb);
            // The block's rows after its last real one at this step are all padding: the cell
            // runs on the rows before them only (na of nb), and they take the previous state below.
            int na = valid is null || cache.Dropout is not null || cache.Zoneout is not null ? nb : RowsToLastReal(valid, t * B + b0, nb);
            var gates = cache.Gates.AsSpan((t * B + b0) * GH, na * GH); // (na, GH)
            Reductions.AddToEachRow(gates, na, GH, cache.Bias);
            var extra = cache.Extra.AsSpan((t * B + b0) * E, na * E);
            if (cache.Dropout?.Recurrent is not null) cell.ForwardDropped(nb, gates, DroppedPrev(cache, hPrev, b0, nb), hPrev, cPrev, h, c, extra, scratch);
            else if (na > 0) cell.Forward(na, gates, hPrev[..(na * S)], cPrev[..(c.IsEmpty ? 0 : na * C)], h[..(na * S)], c[..(c.IsEmpty ? 0 : na * C)], extra, scratch);
            // The rows not run keep zeros in the extra cache, as a new cache has them: a reused
            // one holds an earlier pass's values there, which backward multiplies by their zero
            // gradients (a NaN left by a diverged pass would otherwise survive that).
            if (na < nb) cache.Extra.AsSpan((t * B + b0 + na) * E, (nb - na) * E).Clear();
            cache.Zoneout?.Forward(t, b0, nb, hPrev, h, cPrev, c);
            if (valid is null) continue;
            var y = cache.MaskedOutput.AsSpan((t * B + b0) * S, nb * S);
            h.CopyTo(y);
            for (int r = 0; r < nb; r++)
            {
                if (valid[t * B + b0 + r]) continue;
                hPrev.Slice(r * S, S).CopyTo(h.Slice(r * S, S));
                if (!c.IsEmpty) cPrev.Slice(r * C, C).CopyTo(c.Slice(r * C, C));
                y.Slice(r * S, S).Clear();
            }
        }
    }

    /// <summary>
    /// 1 + the index of the last real row among the <paramref name="rows"/> flags from
    /// <paramref name="start"/> of a (T, B) mask (0 when all are padding). Rows do not mix in a
    /// step and the multiplies compute each row the same whatever the number of rows, so running
    /// the step on these rows only changes no value; with rows in decreasing order of length
    /// (right padding), the padding at the end of a batch's shorter rows costs nothing.
    /// </summary>
    private static int RowsToLastReal(bool[] valid, int start, int rows)
    {
        int n = rows;
        while (n > 0 && !valid[start + n - 1]) n--;
        return n;
    }

    /// <summary>h_{t−1} as the recurrent projection sees it under recurrent dropout: rows [b0, b0 + nb) ⊙ m_h.</summary>
    private static ReadOnlySpan<float> DroppedPrev(DirectionCache cache, Span<float> hPrev, int b0, int nb)
    {
        var mask = cache.Dropout!.Recurrent!;
        int n = nb * cache.H;
        var dropped = cache.DroppedPrev.AsSpan(b0 * cache.H, n);
        VariationalDropout.Apply(hPrev, mask.AsSpan(b0 * cache.H, n), 1, dropped);
        return dropped;
    }

    /// <summary>
    /// Back through time. <paramref name="dy"/> (T, B, H) is ∂L/∂output (empty for none);
    /// <paramref name="dhN"/>, <paramref name="dcN"/> (B, H) the gradients of the final state
    /// (empty for none). Accumulates dW_ih, db_ih, dW_hh, db_hh and <paramref name="dx"/> (T, B, I),
    /// or skips the input gradient when <paramref name="dx"/> is empty;
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
        int GH = cell.GH, B = cache.B, T = cache.T, S = cell.StateWidth;
        cell.PrepareBackward();
        // Every buffer the row blocks share is allocated here, on the calling thread.
        int RW = cell.RecurrentGradientWidth;
        var dgx = cache.GradGates;                                   // (T·B, GH)
        var dgh = RW > 0 ? cache.GradRecurrent(RW) : dgx;            // (T·B, RW), or dgx itself
        _ = (cache.GradH, cache.GradHPrev, cache.GradCPrev);
        if (cell.KeepsStateGradients) _ = cache.GradStates;
        cache.Zoneout?.PrepareBackward();
        var dhNext = cache.GradHNext;
        var dcNext = cache.GradCNext;
        if (dhN.IsEmpty) dhNext.Span.Clear();
        else dhN.CopyTo(dhNext);
        if (dcN.IsEmpty) dcNext.Span.Clear();
        else dcN.CopyTo(dcNext);

        // ‖∂L/∂s_t‖² in parts of one batch row each, (T, B), summed in row order below.
        double[]? normParts = stepGradientNorms.IsEmpty ? null : new double[T * B];
        fixed (float* pdy = dy)
            RowBlocks.Run(RowBlocks.Pass.Backward, cell, cache, valid, dy.IsEmpty ? null : pdy, normParts, dgh);
        if (normParts is not null)
            for (int t = 0; t < T; t++)
            {
                double sum = 0;
                for (int b = 0; b < B; b++) sum += normParts[t * B + b];
                stepGradientNorms[t] = (float)Math.Sqrt(sum);
            }
        dhNext.CopyTo(dh0);
        if (cell.HasCellState) dcNext.CopyTo(dc0);

        int rows = T * B;
        var inputMask = cache.Dropout?.Input;
        if (inputMask is not null) x = cache.DroppedInput(rows * inputSize); // the x ⊙ m_x the step saw
        // ∂L/∂(x·W_ihᵀ) (T·B, GH): dgx itself unless the cell normalised the input projection
        var dProjection = cell.InputProjectionGradient(rows, dgx);
        // dW_ih (GH, I) += dProjectionᵀ (GH, T·B) · x (T·B, I)
        Gemm.MatMulTransA(dProjection, x, dWeightIh, GH, inputSize, rows, accumulate: true);
        // dx (T·B, I) += dProjection (T·B, GH) · W_ih (GH, I), unless nobody needs it (dx empty); ⊙ m_x when dropped
        if (!dx.IsEmpty && inputMask is null) Gemm.MatMul(dProjection, weightIh.Span, dx, rows, inputSize, GH, accumulate: true);
        else if (!dx.IsEmpty)
        {
            var dxDropped = cache.DroppedInputGrad(rows * inputSize);
            Gemm.MatMul(dProjection, weightIh.Span, dxDropped, rows, inputSize, GH);
            VariationalDropout.Apply(dxDropped, inputMask!, T, dx, accumulate: true);
        }
        // dW_hh from the states that entered each step: one contiguous (T·B, S) block (⊙ m_h when dropped).
        ReadOnlySpan<float> entering = cache.States.AsSpan(cache.FirstPrevSlot * B * S, rows * S);
        if (cache.Dropout?.Recurrent is { } recurrentMask)
        {
            VariationalDropout.Apply(entering, recurrentMask, T, cache.DroppedStates);
            entering = cache.DroppedStates;
        }
        cell.AccumulateRecurrentWeightGrad(rows, dgx, dgh, entering, cache.Extra, dWeightHh);
        if (cell.KeepsStateGradients) cell.AccumulateStateGradients(rows, cache.GradStates, cache.Extra);
        // db_ih += Σ_rows dgx;  db_hh the same, except over the columns of a separate recurrent part
        var sums = cache.GradBias;
        Array.Clear(sums);
        Reductions.AddColumnSums(dgx, rows, GH, sums);
        for (int j = 0; j < GH; j++) dBiasIh[j] += sums[j];
        if (RW > 0)
        {
            var part = sums.AsSpan(cell.RecurrentGradientOffset, RW);
            part.Clear();
            Reductions.AddColumnSums(dgh, rows, RW, part);
        }
        for (int j = 0; j < GH; j++) dBiasHh[j] += sums[j];
    }

    /// <summary>
    /// The time loop backward, for batch rows [b0, b0 + nb): fills the step gradients dgx and dgh
    /// (T, B, GH) of these rows and leaves ∂L/∂h0, ∂L/∂c0 in the cache's next-step buffers.
    /// </summary>
    private static void BackwardRows(RecurrentCell cell, DirectionCache cache, bool[]? valid, float* dy,
        double[]? normParts, LineAlignedBuffer dgh, int b0, int nb)
    {
        int H = cell.H, GH = cell.GH, B = cache.B, T = cache.T, E = cell.ExtraWidth * H;
        int S = cell.StateWidth, C = cache.C, n = nb * S;
        int RW = cell.RecurrentGradientWidth > 0 ? cell.RecurrentGradientWidth : GH, SW = cell.ScratchWidth * H;
        bool lstm = cell.HasCellState, keep = cell.KeepsStateGradients;
        var dgx = cache.GradGates;
        var scratch = cache.Scratch.AsSpan(b0 * SW, nb * SW);
        var dhNext = cache.GradHNext.AsSpan(b0 * S, n);  // ∂L/∂h_t arriving from step t+1 (processing order)
        var dcNext = lstm ? cache.GradCNext.AsSpan(b0 * C, nb * C) : Span<float>.Empty;
        var dh = cache.GradH.AsSpan(b0 * S, n);          // total ∂L/∂h_t at the current step
        var dhPrev = cache.GradHPrev.AsSpan(b0 * S, n);
        var dcPrev = lstm ? cache.GradCPrev.AsSpan(b0 * C, nb * C) : Span<float>.Empty;

        for (int s = T - 1; s >= 0; s--)
        {
            int t = cache.Reverse ? T - 1 - s : s;
            // dh_t = ∂L/∂y_t + dh from step t+1 (masked rows: nothing enters the cell)
            if (dy == null) dhNext.CopyTo(dh);
            else
            {
                var dyT = new ReadOnlySpan<float>(dy + (nint)(t * B + b0) * S, n);
                for (int k = 0; k < n; k++) dh[k] = dhNext[k] + dyT[k];
            }
            if (normParts is not null)
            {
                // ‖∂L/∂s_t‖² for the state s_t carried out of step t: h_t (from y_t and step t+1),
                // and for an LSTM also c_t (from step t+1), where its long-range memory lives.
                for (int r = 0; r < nb; r++)
                {
                    double sum = 0;
                    foreach (float g in dh.Slice(r * S, S)) sum += (double)g * g;
                    if (lstm) foreach (float g in dcNext.Slice(r * C, C)) sum += (double)g * g;
                    normParts[t * B + b0 + r] = sum;
                }
            }
            var dcIn = dcNext;
            if (valid is not null)
            {
                for (int r = 0; r < nb; r++)
                    if (!valid[t * B + b0 + r]) dh.Slice(r * S, S).Clear();
                if (lstm)
                {
                    dcIn = dcPrev; // borrow as scratch: the cell reads dc before writing dcPrev row by row
                    dcNext.CopyTo(dcIn);
                    for (int r = 0; r < nb; r++)
                        if (!valid[t * B + b0 + r]) dcIn.Slice(r * C, C).Clear();
                }
            }
            // Under zoneout only ∂L/∂h_t ⊙ (1 − d_t) (and the same of c) enters the cell's step.
            ReadOnlySpan<float> dhCell = dh, dcCell = dcIn;
            if (cache.Zoneout is { } zoneout) zoneout.Split(t, b0, nb, dh, dcIn, ref dhCell, ref dcCell);
            if (keep) dhCell.CopyTo(cache.GradStates.AsSpan((t * B + b0) * S, n));
            var dgxT = dgx.AsSpan((t * B + b0) * GH, nb * GH);
            var dghT = dgh.AsSpan((t * B + b0) * RW, nb * RW);
            var hPrevRows = cache.StateRows(cache.PrevSlot(t), b0, nb);
            var cPrevRows = cache.CellRows(cache.PrevSlot(t), b0, nb);
            var gatesT = cache.Gates.AsSpan((t * B + b0) * GH, nb * GH);
            var extraT = cache.Extra.AsSpan((t * B + b0) * E, nb * E);
            if (cache.Dropout?.Recurrent is { } mask)
                cell.BackwardDropped(nb, dhCell, dcCell, DroppedPrev(cache, hPrevRows, b0, nb), hPrevRows, mask.AsSpan(b0 * S, n), cPrevRows,
                    gatesT, extraT, dgxT, dghT, dhPrev, dcPrev, scratch);
            else cell.Backward(nb, dhCell, dcCell, hPrevRows, cPrevRows, gatesT, extraT, dgxT, dghT, dhPrev, dcPrev, scratch);
            cache.Zoneout?.AddCarried(b0, nb, dhPrev, dcPrev);
            if (valid is not null)
            {
                // A padded step is the identity on the state: its gradient passes through untouched.
                for (int r = 0; r < nb; r++)
                {
                    if (valid[t * B + b0 + r]) continue;
                    dgxT.Slice(r * GH, GH).Clear();
                    dghT.Slice(r * RW, RW).Clear();
                    dhNext.Slice(r * S, S).CopyTo(dhPrev.Slice(r * S, S));
                    if (lstm) dcNext.Slice(r * C, C).CopyTo(dcPrev.Slice(r * C, C));
                }
            }
            dhPrev.CopyTo(dhNext);
            if (lstm) dcPrev.CopyTo(dcNext);
        }
    }
}
