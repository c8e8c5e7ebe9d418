using System.Runtime.InteropServices;
using Recur.Kernels;

namespace Recur.Layers.Recurrent;

// Shapes: B batch, T time, I input size, H hidden size, G gate count, GH = G·H.
// Weights use PyTorch's layout: W_ih (GH, I), W_hh (GH, H), b_ih (GH), b_hh (GH).

/// <summary>
/// One recurrent cell: a single time step forward and backward over a batch. Cells never loop
/// over time — <see cref="SequenceLoop"/> owns BPTT and calls them step by step.
/// </summary>
/// <remarks>
/// The loop precomputes the input projection <c>gx_t = x_t·W_ihᵀ + b_ih</c> for all steps as one
/// GEMM, so a step only adds the recurrent projection. In backward a step returns the gradient
/// with respect to <c>gx_t</c> (dgx) and with respect to the recurrent projection (dgh); after the
/// loop, large multiplies over all T·B rows turn them into dX, dW_ih and, through
/// <see cref="AccumulateRecurrentWeightGrad"/>, dW_hh, and column sums into the bias gradients.
/// </remarks>
internal abstract class RecurrentCell
{
    protected RecurrentCell(int hiddenSize, int gateCount, Tensor weightHh, Tensor biasHh)
    {
        H = hiddenSize;
        G = gateCount;
        WeightHh = weightHh;
        BiasHh = biasHh;
    }

    /// <summary>Hidden size.</summary>
    public int H { get; }

    /// <summary>Number of gate blocks (LSTM 4, GRU 3, SimpleRNN 1).</summary>
    public int G { get; }

    /// <summary>G·H, the width of a step's pre-activations.</summary>
    public int GH => G * H;

    /// <summary>W_hh (GH, H).</summary>
    protected Tensor WeightHh { get; }

    /// <summary>b_hh (GH).</summary>
    protected Tensor BiasHh { get; }

    /// <summary>True for LSTM, which carries a cell state c beside h.</summary>
    public virtual bool HasCellState => false;

    /// <summary>
    /// Width of the hidden state h the cell carries and outputs: H, or the projection size P of a
    /// projected LSTM (then W_hh is (GH, P) and the cell state c stays H wide).
    /// </summary>
    public virtual int StateWidth => H;

    /// <summary>
    /// True when the cell's weights need ∂L/∂h_t of every step after the loop
    /// (<see cref="AccumulateStateGradients"/>): the loop then keeps them, (T, B, StateWidth).
    /// </summary>
    public virtual bool KeepsStateGradients => false;

    /// <summary>
    /// After the loop, when <see cref="KeepsStateGradients"/>: accumulates the gradients of the
    /// cell's own weights from <paramref name="dh"/> (R, StateWidth), ∂L/∂h_t of every row (zero at
    /// masked steps), and <paramref name="extra"/> (R, ExtraWidth·H).
    /// </summary>
    public virtual void AccumulateStateGradients(int rows, ReadOnlySpan<float> dh, ReadOnlySpan<float> extra) { }

    /// <summary>
    /// Floats per (t, b) row of the part of ∂L/∂(recurrent projection) that differs from ∂L/∂gx,
    /// kept in its own buffer (<c>dgh</c>): the gate columns [<see cref="RecurrentGradientOffset"/>,
    /// + width). 0 when the two gradients are the same (LSTM, SimpleRNN, GRU resetting before):
    /// the loop then passes dgx as dgh. A GRU resetting after has r ⊙ dz_n in the n block.
    /// </summary>
    public virtual int RecurrentGradientWidth => 0;

    /// <summary>First gate column of the separate recurrent gradient (see <see cref="RecurrentGradientWidth"/>).</summary>
    public virtual int RecurrentGradientOffset => 0;

    /// <summary>Floats per (t, b) row the cell caches besides its gates, as a multiple of H (0 or 1).</summary>
    public virtual int ExtraWidth => 0;

    /// <summary>Floats of step scratch per batch row, as a multiple of H (not kept between steps).</summary>
    public virtual int ScratchWidth => 0;

    /// <summary>
    /// Adds to <paramref name="bias"/> (GH) the part of b_hh that is a plain constant inside the
    /// pre-activations, so the loop folds it into the precomputed input projection once instead
    /// of adding it at every step. Default: all of b_hh.
    /// </summary>
    public virtual void FoldRecurrentBias(Span<float> bias)
    {
        var bhh = BiasHh.Span;
        for (int j = 0; j < GH; j++) bias[j] += bhh[j];
    }

    /// <summary>Packs W_hh for the forward steps (once per sequence, not per step).</summary>
    public abstract void PrepareForward();

    /// <summary>
    /// True when, given h_{t−1}, each hidden unit's gates and new state depend only on that unit's
    /// columns of the recurrent projection: the loop may then split the units of a one-row step
    /// across threads (<see cref="ForwardUnits"/>).
    /// </summary>
    public virtual bool UnitsIndependent => true;

    /// <summary>
    /// Packs W_hhᵀ in unit panels for <see cref="ForwardUnits"/> (once per sequence). Streaming
    /// inference calls this for every chunk, often one step long, while the weights stay the
    /// same: the panels are kept with a copy of the W_hh they came from, and packed again only
    /// when W_hh differs from it.
    /// </summary>
    public void PrepareForwardUnits()
    {
        if (IsInt8) return;
        var w = WeightHh.Span;
        if (_whhUnits is not null && MemoryMarshal.AsBytes(w).SequenceEqual(MemoryMarshal.AsBytes(_whhUnitsSource.AsSpan()))) return;
        _whhUnits ??= new UnitPanels(G, H, H);
        _whhUnits.Pack(w);
        if (_whhUnitsSource.Length != w.Length) _whhUnitsSource = new float[w.Length];
        w.CopyTo(_whhUnitsSource);
    }

    private UnitPanels? _whhUnits;       // W_hhᵀ by gate, in panels of 16 units
    private float[] _whhUnitsSource = []; // the W_hh they were packed from
    [ThreadStatic] private static LineAlignedBuffer? t_hPrev; // this thread's copy of h_{t−1} (ProjectUnits)

    /// <summary>
    /// One step of a one-row batch, for units [u0, u1) only: what <see cref="Forward"/> does with
    /// batch 1, reading all of <paramref name="hPrev"/> (H) but touching only these units' entries
    /// of the gates (GH), the new state (H) and the caches. Units are independent
    /// (<see cref="UnitsIndependent"/>), so ranges may run on different threads at once.
    /// </summary>
    public abstract void ForwardUnits(int u0, int u1, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch);

    /// <summary>
    /// dst[g·H + u] (+)= Σ_k h_{t−1}[k]·W_hh[g·H + u, k] for every gate block g and unit u in
    /// [u0, u1): the units' columns of the recurrent projection, the same bits as the packed GEMM.
    /// <paramref name="u0"/> is a multiple of <see cref="UnitPanels.Width"/>.
    /// </summary>
    protected unsafe void ProjectUnits(int u0, int u1, ReadOnlySpan<float> hPrev, Span<float> dst, bool accumulate)
    {
        // h_{t−1} was just written, part of it by another thread: copy it once (a few vector
        // loads) rather than have every broadcast of the product wait on a line another core holds.
        if (IsInt8)
        {
            ProjectInt8(1, hPrev, StateWidth, 0, G, dst, GH, accumulate, u0, u1);
            return;
        }
        var local = t_hPrev is { } buffer && buffer.Length >= hPrev.Length ? buffer : (t_hPrev = new LineAlignedBuffer(hPrev.Length));
        hPrev.CopyTo(local);
        fixed (float* a = local.Span, d = dst)
            for (int g = 0; g < G; g++)
                Gemv.Multiply(u1 - u0, H, a, _whhUnits!.Panel(g, u0 / UnitPanels.Width), d + g * H + u0, accumulate);
    }

    private QuantizedMatrix[]? _int8Hh; // [g]: rows [g·H, (g + 1)·H) of W_hh, int8 per row (RecurrentLayer.Quantize)

    /// <summary>
    /// From now on the forward steps project h_{t−1} with these int8 weights, one per gate block g:
    /// rows [g·H, (g + 1)·H) of W_hh (H, StateWidth) (<see cref="QuantizedMatrix"/>), h_{t−1}
    /// quantised per row at each step. Inference only: the float packings are no longer made.
    /// </summary>
    public void UseInt8(QuantizedMatrix[] gates)
    {
        if (gates.Length != G || gates.Any(q => q.N != H || q.K != StateWidth))
            throw new ArgumentException($"Expected {G} int8 gate blocks of ({H}, {StateWidth}).", nameof(gates));
        _int8Hh = gates;
    }

    /// <summary>True once <see cref="UseInt8"/> has given the cell int8 recurrent weights.</summary>
    public bool IsInt8 => _int8Hh is not null;

    /// <summary>
    /// The int8 recurrent projection: <c>dst[b, g·H + j] (+)= Σ_k a[b, k]·W_hh[g·H + j, k]</c>
    /// for gate blocks g in [g0, g1) and units j in [u0, u1) (all units when u1 is −1), with
    /// <paramref name="a"/> (B, StateWidth), row stride lda, quantised per row first
    /// (<see cref="Int8Gemm"/>); dst has row stride ldc.
    /// </summary>
    protected unsafe void ProjectInt8(int batch, ReadOnlySpan<float> a, int lda, int g0, int g1, Span<float> dst, int ldc, bool accumulate,
        int u0 = 0, int u1 = -1)
    {
        if (u1 < 0) u1 = H;
        var q = QuantizedRows.ForThisThread;
        q.Resize(batch, StateWidth);
        fixed (float* pa = a) q.Quantize(pa, lda, 0, batch);
        fixed (float* d = dst)
            for (int g = g0; g < g1; g++)
                Int8Gemm.Multiply(q, _int8Hh![g], u0, u1, d + g * H + u0, ldc, accumulate);
    }

    /// <summary>Packs W_hh for the backward steps (once per sequence, not per step).</summary>
    public abstract void PrepareBackward();

    /// <summary>
    /// One step. <paramref name="gates"/> (B, GH) enters holding <c>x_t·W_ihᵀ + b_ih</c> plus the
    /// folded part of b_hh, and leaves holding the activated gates (the backward cache);
    /// <paramref name="hPrev"/>, <paramref name="cPrev"/> (B, H) are the entering state. Writes the
    /// new state <paramref name="h"/>, <paramref name="c"/> (B, H) and the step's
    /// <paramref name="extra"/> cache (B, ExtraWidth·H); <paramref name="scratch"/> (B, ScratchWidth·H)
    /// is the cell's to overwrite. Rows are independent: the loop may run a block of the batch
    /// rows on each thread, so a step keeps no state outside its arguments.
    /// </summary>
    public abstract void Forward(int batch, Span<float> gates, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch);

    /// <summary>
    /// One step back. <paramref name="dh"/> (B, H) is ∂L/∂h_t (from the output and from step t+1),
    /// <paramref name="dc"/> (B, H) is ∂L/∂c_t from step t+1 (LSTM). Writes
    /// <paramref name="dgx"/> (B, GH) = ∂L/∂gx_t and, when the cell has one
    /// (<see cref="RecurrentGradientWidth"/>), the differing part of ∂L/∂(recurrent projection +
    /// b_hh) into <paramref name="dgh"/> (B, width); overwrites <paramref name="dhPrev"/>,
    /// <paramref name="dcPrev"/> (B, H). <paramref name="scratch"/> (B, ScratchWidth·H) is the
    /// cell's to overwrite.
    /// </summary>
    public abstract void Backward(int batch,
        ReadOnlySpan<float> dh, ReadOnlySpan<float> dc,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev, Span<float> scratch);

    /// <summary>
    /// Once per sequence, after the input projection of every step: <paramref name="gates"/>
    /// (R, GH) holds x·W_ihᵀ, before any bias. A layer-normalised cell normalises it here
    /// (<see cref="Normalized.NormalizedCell"/>); the default leaves it as it is.
    /// </summary>
    public virtual void NormalizeInputProjection(int rows, Span<float> gates) { }

    /// <summary>
    /// After the loop: ∂L/∂(x·W_ihᵀ) (R, GH) from ∂L/∂gx <paramref name="dgx"/> (R, GH), for dW_ih
    /// and dx. The same unless <see cref="NormalizeInputProjection"/> changed the projection.
    /// </summary>
    public virtual ReadOnlySpan<float> InputProjectionGradient(int rows, ReadOnlySpan<float> dgx) => dgx;

    /// <summary>
    /// <see cref="Forward"/> under recurrent dropout: <paramref name="hDropped"/> = h_{t−1} ⊙ m_h
    /// enters the recurrent projection, <paramref name="hPrev"/> is the state as carried. The
    /// default is the step on <paramref name="hDropped"/>, right for every cell whose h_{t−1}
    /// reaches the step through the projection alone (LSTM, SimpleRNN); a GRU also mixes the
    /// carried state in (z ⊙ h_{t−1}) and overrides this.
    /// </summary>
    public virtual void ForwardDropped(int batch, Span<float> gates, ReadOnlySpan<float> hDropped, ReadOnlySpan<float> hPrev,
        ReadOnlySpan<float> cPrev, Span<float> h, Span<float> c, Span<float> extra, Span<float> scratch)
        => Forward(batch, gates, hDropped, cPrev, h, c, extra, scratch);

    /// <summary>
    /// <see cref="Backward"/> under recurrent dropout, with the mask rows <paramref name="mask"/>
    /// (B, S): writes ∂L/∂h_{t−1} of the carried state into <paramref name="dhPrev"/>. Default: the
    /// step back on <paramref name="hDropped"/>, whose ∂L/∂h_{t−1} ⊙ m_h is then the carried state's.
    /// </summary>
    public virtual void BackwardDropped(int batch, ReadOnlySpan<float> dh, ReadOnlySpan<float> dc, ReadOnlySpan<float> hDropped,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> mask, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> gates, ReadOnlySpan<float> extra,
        Span<float> dgx, Span<float> dgh, Span<float> dhPrev, Span<float> dcPrev, Span<float> scratch)
    {
        Backward(batch, dh, dc, hDropped, cPrev, gates, extra, dgx, dgh, dhPrev, dcPrev, scratch);
        VariationalDropout.Apply(dhPrev, mask, 1, dhPrev);
    }

    /// <summary>
    /// After the loop, over all R = T·B rows: dW_hh += (∂L/∂recurrent projection)ᵀ·h_{t−1} (the
    /// loop adds the bias gradients). <paramref name="dgx"/> (R, GH); <paramref name="dgh"/>
    /// (R, <see cref="RecurrentGradientWidth"/>), or dgx itself when the cell has no separate part;
    /// <paramref name="hPrev"/> (R, StateWidth), <paramref name="extra"/> (R, ExtraWidth·H).
    /// </summary>
    public virtual void AccumulateRecurrentWeightGrad(int rows, ReadOnlySpan<float> dgx,
        ReadOnlySpan<float> dgh, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> extra, Span<float> dWeightHh)
    {
        // (GH, S) += (R, GH)ᵀ · (R, S), S = StateWidth
        Gemm.MatMulTransA(dgx, hPrev, dWeightHh, GH, StateWidth, rows, accumulate: true);
    }
}
