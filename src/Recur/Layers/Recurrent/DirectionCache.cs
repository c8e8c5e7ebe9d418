namespace Recur.Layers.Recurrent;

// Shapes: T time, B batch, H hidden, GH = gates·H, E = the cell's extra width·H.

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
        bool cellState, bool reverse)
    {
        GateWidth = gateWidth;
        T = steps;
        B = batch;
        H = hidden;
        Reverse = reverse;
        States = new float[(steps + 1) * batch * hidden];
        Cells = cellState ? new float[(steps + 1) * batch * hidden] : Array.Empty<float>();
        Gates = new float[steps * batch * gateWidth];
        Extra = new float[steps * batch * extraWidth];
        Bias = new float[gateWidth];
        Scratch = new float[batch * scratchWidth];
    }

    public int T { get; }
    public int B { get; }
    public int H { get; }
    public bool Reverse { get; }
    public int GateWidth { get; }

    /// <summary>True when this cache has the dimensions of a new pass, so its buffers can be reused.</summary>
    public bool Fits(int steps, int batch, int hidden, int gateWidth, bool reverse)
        => T == steps && B == batch && H == hidden && GateWidth == gateWidth && Reverse == reverse;

    /// <summary>Backward scratch (T, B, GH), allocated on first use and kept with the cache.</summary>
    public float[] GradGates => _gradGates ??= new float[T * B * GateWidth];

    /// <summary>Second backward scratch (T, B, GH) for cells whose recurrent gradient differs.</summary>
    public float[] GradRecurrent => _gradRecurrent ??= new float[T * B * GateWidth];

    private float[]? _gradGates, _gradRecurrent;

    /// <summary>
    /// Backward step buffers, each (B, H): ∂L/∂h and ∂L/∂c arriving from the next step, the total
    /// ∂L/∂h_t, and the gradients a step sends back. Allocated on first use and kept.
    /// </summary>
    public float[] GradHNext => _gradHNext ??= new float[B * H];
    public float[] GradCNext => _gradCNext ??= new float[Cells.Length == 0 ? 0 : B * H];
    public float[] GradH => _gradH ??= new float[B * H];
    public float[] GradHPrev => _gradHPrev ??= new float[B * H];
    public float[] GradCPrev => _gradCPrev ??= new float[Cells.Length == 0 ? 0 : B * H];

    /// <summary>(GH) column sums of the gate gradients, for the bias gradients.</summary>
    public float[] GradBias => _gradBias ??= new float[GateWidth];

    private float[]? _gradHNext, _gradCNext, _gradH, _gradHPrev, _gradCPrev, _gradBias;

    /// <summary>(GH) b_ih plus the part of b_hh the cell folds in, added to the gates at every step.</summary>
    public float[] Bias;

    /// <summary>(B, ScratchWidth·H) the cell's step scratch; each row block uses its own rows.</summary>
    public float[] Scratch;

    public float[] States;  // (T+1, B, H)
    public float[] Cells;   // (T+1, B, H), LSTM only
    public float[] Gates;   // (T, B, GH) activated gates
    public float[] Extra;   // (T, B, E)
    private float[]? _masked; // (T, B, H) outputs with zeros at masked steps, only when a mask is used

    /// <summary>
    /// (T, B, H) outputs in time order. Unmasked, they are the stored states themselves: h_t sits in
    /// slot t+1 (forward) or t (reverse), so slots [FirstSlot, FirstSlot + T) are the outputs.
    /// </summary>
    public ReadOnlyMemory<float> Output(bool masked)
        => masked ? MaskedOutput : States.AsMemory((Reverse ? 0 : 1) * B * H, T * B * H);

    /// <summary>The buffer for masked outputs (zeros at padded steps).</summary>
    public float[] MaskedOutput => _masked ??= new float[T * B * H];

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

    public Span<float> CellAt(int slot) => Cells.Length == 0 ? Span<float>.Empty : Cells.AsSpan(slot * B * H, B * H);

    /// <summary>Rows [b0, b0 + nb) of the state in <paramref name="slot"/>: (nb, H).</summary>
    public Span<float> StateRows(int slot, int b0, int nb) => States.AsSpan((slot * B + b0) * H, nb * H);

    /// <summary>Rows [b0, b0 + nb) of the cell state in <paramref name="slot"/> (empty without one).</summary>
    public Span<float> CellRows(int slot, int b0, int nb)
        => Cells.Length == 0 ? Span<float>.Empty : Cells.AsSpan((slot * B + b0) * H, nb * H);
}
