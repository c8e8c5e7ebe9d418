using System.Diagnostics.CodeAnalysis;

namespace Recur.Layers.Recurrent;

// Shapes: T time, B batch, H the width of h (the cell's hidden size, or its projection size P),
// C the width of the cell state c (the hidden size; LSTM only), GH = gates·hidden,
// E = the cell's extra width·hidden.

/// <summary>
/// What one direction of one recurrent layer keeps from its forward pass for BPTT.
/// </summary>
/// <remarks>
/// States are stored once, T+1 slots of (B, H), so that the states entering every step form one
/// contiguous (T, B, H) block for the weight-gradient multiply after the loop. Forward in time:
/// slot 0 is h0 and h_t is slot t+1. Reverse: slot T is h0 and h_t is slot t. Either way the state
/// entering step t is slot <see cref="PrevSlot"/>(t).
/// </remarks>
internal sealed class DirectionCache
{
    public DirectionCache(int steps, int batch, int hidden, int gateWidth, int extraWidth, int scratchWidth,
        bool cellState, bool reverse, int cellWidth)
    {
        GateWidth = gateWidth;
        H = hidden;
        C = cellState ? cellWidth : 0;
        Reverse = reverse;
        _extraWidth = extraWidth;
        _scratchWidth = scratchWidth;
        Bias = new float[gateWidth];
        Begin(steps, batch);
    }

    private readonly int _extraWidth, _scratchWidth; // E and the cell's scratch width per batch row

    public int T { get; private set; }
    public int B { get; private set; }
    public int H { get; }

    /// <summary>Width of the cell state c: the hidden size for an LSTM (H unless projected), else 0.</summary>
    public int C { get; }

    public bool Reverse { get; }
    public int GateWidth { get; }

    /// <summary>
    /// True when this cache belongs to the same direction of the same cell (the widths and the
    /// direction of a new pass), so that <see cref="Begin"/> can take it to any T and B.
    /// </summary>
    public bool Fits(int hidden, int gateWidth, bool reverse, int cellWidth)
        => H == hidden && GateWidth == gateWidth && Reverse == reverse && C == cellWidth;

    /// <summary>
    /// Makes every buffer a view of the size a pass of <paramref name="steps"/> × <paramref name="batch"/>
    /// needs, reusing the allocated ones that are large enough (grow-only). The views keep the
    /// previous pass's values: the loop writes every element it reads before reading it (states,
    /// gates, outputs, the backward step buffers), except the rows a step does not run (padding
    /// after a block's last real row), whose extra values it clears (see SequenceLoop.ForwardRows),
    /// so a pass gives the same bits on a reused cache as on a new one.
    /// </summary>
    [MemberNotNull(nameof(States), nameof(Cells), nameof(Gates), nameof(Extra), nameof(Scratch))]
    public void Begin(int steps, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        (T, B) = (steps, batch);
        int rows = steps * batch;
        States = LineAlignedBuffer.Fit(States, (steps + 1) * batch * H);
        Cells = LineAlignedBuffer.Fit(Cells, (steps + 1) * batch * C);
        Gates = LineAlignedBuffer.Fit(Gates, rows * GateWidth);
        Extra = LineAlignedBuffer.Fit(Extra, rows * _extraWidth);
        Scratch = LineAlignedBuffer.Fit(Scratch, batch * _scratchWidth);
        // The lazily allocated buffers: refitted when they exist, else allocated at first use.
        Refit(ref _gradGates, rows * GateWidth);
        Refit(ref _gradStates, rows * H);
        Refit(ref _droppedStates, rows * H);
        Refit(ref _masked, rows * H);
        Refit(ref _gradHNext, batch * H);
        Refit(ref _gradH, batch * H);
        Refit(ref _gradHPrev, batch * H);
        Refit(ref _droppedPrev, batch * H);
        Refit(ref _gradCNext, batch * C);
        Refit(ref _gradCPrev, batch * C);
    }

    private static void Refit(ref LineAlignedBuffer? buffer, int length)
    {
        if (buffer is not null) buffer = LineAlignedBuffer.Fit(buffer, length);
    }

    /// <summary>Backward scratch (T, B, GH), allocated on first use and kept with the cache.</summary>
    public LineAlignedBuffer GradGates => _gradGates ??= new LineAlignedBuffer(T * B * GateWidth);

    /// <summary>
    /// Second backward buffer (T, B, width) for the part of the recurrent gradient that differs from
    /// the gates' (<see cref="RecurrentCell.RecurrentGradientWidth"/>), allocated on first use.
    /// </summary>
    public LineAlignedBuffer GradRecurrent(int width) => _gradRecurrent = LineAlignedBuffer.Fit(_gradRecurrent, T * B * width);

    private LineAlignedBuffer? _gradGates, _gradRecurrent;

    /// <summary>
    /// Backward step buffers, each (B, H): ∂L/∂h and ∂L/∂c arriving from the next step, the total
    /// ∂L/∂h_t, and the gradients a step sends back. Allocated on first use and kept.
    /// </summary>
    public LineAlignedBuffer GradHNext => _gradHNext ??= new LineAlignedBuffer(B * H);
    public LineAlignedBuffer GradCNext => _gradCNext ??= new LineAlignedBuffer(B * C);
    public LineAlignedBuffer GradH => _gradH ??= new LineAlignedBuffer(B * H);
    public LineAlignedBuffer GradHPrev => _gradHPrev ??= new LineAlignedBuffer(B * H);
    public LineAlignedBuffer GradCPrev => _gradCPrev ??= new LineAlignedBuffer(B * C);

    /// <summary>
    /// (T, B, H) ∂L/∂h_t of every step, for a cell whose weights after the loop need it
    /// (<see cref="RecurrentCell.KeepsStateGradients"/>); allocated on first use and kept.
    /// </summary>
    public LineAlignedBuffer GradStates => _gradStates ??= new LineAlignedBuffer(T * B * H);

    private LineAlignedBuffer? _gradStates;

    /// <summary>The variational dropout masks of the pass, null when it drops nothing (inference, rates 0).</summary>
    public VariationalDropout? Dropout;

    /// <summary>The zoneout of the pass, null when both rates are 0.</summary>
    public Zoneout? Zoneout;

    /// <summary>(T, B, I) the dropped inputs x ⊙ m_x, when inputs are dropped.</summary>
    public LineAlignedBuffer DroppedInput(int length) => _droppedInput = LineAlignedBuffer.Fit(_droppedInput, length);

    /// <summary>(T, B, I) backward scratch for dz·W_ih before the input mask, when inputs are dropped.</summary>
    public LineAlignedBuffer DroppedInputGrad(int length) => _droppedInputGrad = LineAlignedBuffer.Fit(_droppedInputGrad, length);

    /// <summary>(B, H) h_{t−1} ⊙ m_h of the current step, each row block in its own rows.</summary>
    public LineAlignedBuffer DroppedPrev => _droppedPrev ??= new LineAlignedBuffer(B * H);

    /// <summary>(T, B, H) every entering state ⊙ m_h, for dW_hh after the loop.</summary>
    public LineAlignedBuffer DroppedStates => _droppedStates ??= new LineAlignedBuffer(T * B * H);

    private LineAlignedBuffer? _droppedInput, _droppedInputGrad, _droppedPrev, _droppedStates;

    /// <summary>(GH) column sums of the gate gradients, for the bias gradients.</summary>
    public float[] GradBias => _gradBias ??= new float[GateWidth];

    private LineAlignedBuffer? _gradHNext, _gradCNext, _gradH, _gradHPrev, _gradCPrev;
    private float[]? _gradBias;

    /// <summary>(GH) b_ih plus the part of b_hh the cell folds in, added to the gates at every step.</summary>
    public float[] Bias;

    /// <summary>(B, ScratchWidth·H) the cell's step scratch; each row block uses its own rows.</summary>
    public LineAlignedBuffer Scratch;

    // Line-aligned: the threads of the loop write disjoint row blocks or unit ranges of these.
    public LineAlignedBuffer States;  // (T+1, B, H)
    public LineAlignedBuffer Cells;   // (T+1, B, C), LSTM only
    public LineAlignedBuffer Gates;   // (T, B, GH) activated gates
    public LineAlignedBuffer Extra;   // (T, B, E)
    private LineAlignedBuffer? _masked; // (T, B, H) outputs with zeros at masked steps, only when a mask is used

    /// <summary>
    /// (T, B, H) outputs in time order. Unmasked, they are the stored states themselves: h_t sits in
    /// slot t+1 (forward) or t (reverse), so slots [FirstSlot, FirstSlot + T) are the outputs.
    /// </summary>
    public ReadOnlyMemory<float> Output(bool masked)
        => masked ? MaskedOutput.AsMemory(0, T * B * H) : States.AsMemory((Reverse ? 0 : 1) * B * H, T * B * H);

    /// <summary>The buffer for masked outputs (zeros at padded steps).</summary>
    public LineAlignedBuffer MaskedOutput => _masked ??= new LineAlignedBuffer(T * B * H);

    /// <summary>Slot of h_t (and c_t).</summary>
    public int Slot(int t) => Reverse ? t : t + 1;

    /// <summary>Slot of the state entering step t.</summary>
    public int PrevSlot(int t) => Reverse ? t + 1 : t;

    /// <summary>Slot of the initial state.</summary>
    public int InitialSlot => Reverse ? T : 0;

    /// <summary>Slot of the final state (after the last processed step).</summary>
    public int FinalSlot => Reverse ? 0 : T;

    /// <summary>First slot of the contiguous (T, B, H) block of entering states.</summary>
    public int FirstPrevSlot => Reverse ? 1 : 0;

    public Span<float> StateAt(int slot) => States.AsSpan(slot * B * H, B * H);

    public Span<float> CellAt(int slot) => Cells.Length == 0 ? Span<float>.Empty : Cells.AsSpan(slot * B * C, B * C);

    /// <summary>Rows [b0, b0 + nb) of the state in <paramref name="slot"/>: (nb, H).</summary>
    public Span<float> StateRows(int slot, int b0, int nb) => States.AsSpan((slot * B + b0) * H, nb * H);

    /// <summary>Rows [b0, b0 + nb) of the cell state in <paramref name="slot"/> (empty without one).</summary>
    public Span<float> CellRows(int slot, int b0, int nb)
        => Cells.Length == 0 ? Span<float>.Empty : Cells.AsSpan((slot * B + b0) * C, nb * C);
}
