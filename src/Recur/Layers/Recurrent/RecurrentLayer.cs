using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Recur.Initializers;
using Recur.Kernels;
using Recur.Layers.Recurrent.Normalized;

namespace Recur.Layers.Recurrent;

// Shapes: B batch, T time, I input, H hidden (units), L stacked layers, D directions (1 or 2),
// W merged width (D·H for concat, H for sum/average), G gates, GH = G·H.

/// <summary>
/// The common machinery of <see cref="Lstm"/>, <see cref="Gru"/> and <see cref="SimpleRnn"/>:
/// stacked layers, optional second direction, masks, initial and final states.
/// </summary>
/// <remarks>
/// <para>Input (B, T, I), batch-first. Output (B, T, W) when <see cref="RecurrentOptions.ReturnSequences"/>,
/// else (B, W): the final states of the top layer, merged (for the forward direction the state at
/// each sequence's last real step; for the backward direction the state after reaching step 0).</para>
/// <para>Parameters are named as PyTorch's <c>state_dict</c>: <c>weight_ih_l{k}</c> (GH, I_k),
/// <c>weight_hh_l{k}</c> (GH, H), <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> (GH), with the suffix
/// <c>_reverse</c> for the backward direction; gate order is PyTorch's.</para>
/// <para>Layer-normalised cells (<see cref="RecurrentOptions.LayerNorm"/>) add, after each
/// direction's biases, <c>ln_weight_ih_l{k}</c> and <c>ln_weight_hh_l{k}</c> (GH), the gains of
/// the normalised input and recurrent projections, and for an LSTM <c>ln_weight_c_l{k}</c> and
/// <c>ln_bias_c_l{k}</c> (H), the gain and bias of the normalised cell state.</para>
/// <para>A mask (B, T) marks real steps. A masked step keeps the state, outputs zeros and gets no
/// gradient; the backward direction therefore starts at each sequence's real last step.</para>
/// </remarks>
public abstract class RecurrentLayer : Layer
{
    private DirectionWeights[] _directions = Array.Empty<DirectionWeights>(); // [layer·D + d]
    private Int8Weights[]? _int8;                                                // [layer·D + d] once quantised
    private readonly ConcurrentBag<ForwardState> _idle = new();    // call states no call holds: buffers and cells to reuse
    private SeededRandom? _dropoutRandom;
    private bool _stateful;
    private Tensor? _carriedHidden, _carriedCell; // (L·D, B, H) final states of the last call, when stateful

    /// <summary>Creates a layer with <paramref name="units"/> hidden units.</summary>
    protected RecurrentLayer(int units, RecurrentOptions? options, string? name) : base(name)
    {
        if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), units, "Expected a positive number of units.");
        Options = options ?? new RecurrentOptions();
        if (Options.NumLayers <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), Options.NumLayers, $"NumLayers is {Options.NumLayers}; expected at least 1.");
        if (!(Options.Dropout >= 0f && Options.Dropout < 1f))
            throw new ArgumentOutOfRangeException(nameof(options), Options.Dropout, $"Dropout is {Options.Dropout}; expected a value in [0, 1).");
        RecurrentVariants.Validate(Options, units);
        Units = units;
    }

    /// <summary>Hidden size H.</summary>
    public int Units { get; }

    /// <summary>
    /// Width of the hidden state h per direction: <see cref="RecurrentOptions.ProjectionSize"/> when
    /// the LSTM is projected, else <see cref="Units"/>. The cell state c stays <see cref="Units"/> wide.
    /// </summary>
    public int StateSize => Options.ProjectionSize > 0 ? Options.ProjectionSize : Units;

    /// <summary>The layer's options.</summary>
    public RecurrentOptions Options { get; }

    /// <summary>Number of directions: 2 when bidirectional, else 1.</summary>
    public int Directions => Options.Bidirectional ? 2 : 1;

    /// <summary>Width W of each output step: 2H for concatenated bidirectional outputs, else H.</summary>
    public int OutputWidth => DirectionMerge.Width(Options.MergeMode, Directions, StateSize);

    /// <summary>
    /// When true, <see cref="Forward"/> starts each call from the final states of the previous
    /// call (streaming inference, truncated BPTT: the gradient stops at the call boundary) until
    /// <see cref="ResetStates"/>. Not available for bidirectional layers.
    /// </summary>
    public bool Stateful
    {
        get => _stateful;
        set
        {
            if (value && Options.Bidirectional)
                throw new InvalidOperationException($"Layer '{Name}' is bidirectional; its backward direction cannot carry state from one call to the next.");
            _stateful = value;
            ResetStates();
        }
    }

    /// <summary>
    /// When true, every backward pass records the gradient norm of the recurrent state at each
    /// step into <see cref="StepGradientNorms"/>. Off by default (it costs one pass over the gradients).
    /// </summary>
    public bool RecordStepGradientNorms { get; set; }

    /// <summary>
    /// (L·D, T) after a backward pass with <see cref="RecordStepGradientNorms"/>: for each stacked
    /// layer and direction (row l·D + d) and step t, the Euclidean norm over the whole (B, H) batch
    /// of ∂L/∂s_t, the gradient reaching the state carried out of step t: s_t = h_t (from the output
    /// at t and from step t+1), and for an LSTM s_t = (h_t, c_t), since its memory is carried in c.
    /// Plotted against t it shows gradients vanishing (or exploding) through time. Null until then.
    /// </summary>
    public Tensor? StepGradientNorms { get; private set; }

    /// <summary>Forgets the carried states: the next call starts from zeros.</summary>
    public void ResetStates() => _carriedHidden = _carriedCell = null;

    /// <summary>The carried (L·D, B, H) states of a stateful layer, null when reset (for backups).</summary>
    internal (Tensor? Hidden, Tensor? Cell) Carried
    {
        get => (_carriedHidden, _carriedCell);
        set => (_carriedHidden, _carriedCell) = value;
    }

    /// <inheritdoc/>
    public override IEnumerable<SeededRandom> RandomStreams => _dropoutRandom is null ? [] : [_dropoutRandom];

    /// <summary>Input size I (known once built).</summary>
    public int InputSize { get; private set; }

    /// <summary>Gate blocks per step (LSTM 4, GRU 3, SimpleRNN 1).</summary>
    protected abstract int GateCount { get; }

    /// <summary>True for LSTM: the layer carries cell states.</summary>
    protected virtual bool HasCellState => false;

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var config = new JsonObject
        {
            ["units"] = Units,
            ["return_sequences"] = Options.ReturnSequences,
            ["num_layers"] = Options.NumLayers,
            ["bidirectional"] = Options.Bidirectional,
            ["merge_mode"] = Options.MergeMode.ToString(),
            ["initialization"] = Options.Initialization.ToString(),
            ["dropout"] = Options.Dropout,
        };
        RecurrentVariants.AddConfig(Options, config);
        AddConfig(config);
        return config;
    }

    /// <summary>Adds the cell-specific settings to the saved configuration.</summary>
    private protected virtual void AddConfig(JsonObject config) { }

    /// <summary>Reads the options written by <see cref="GetConfig"/>.</summary>
    internal static RecurrentOptions OptionsFrom(LayerConfig c) => RecurrentVariants.FromConfig(c, new()
    {
        ReturnSequences = c.Bool("return_sequences"),
        NumLayers = c.Int("num_layers", min: 1),
        Bidirectional = c.Bool("bidirectional"),
        MergeMode = c.Enum<MergeMode>("merge_mode"),
        Initialization = c.Enum<RecurrentInit>("initialization"),
        Dropout = c.Float("dropout"),
    });

    /// <summary>A new, unbuilt layer of the same kind and name with other options (used by <see cref="Bidirectional"/>).</summary>
    internal abstract RecurrentLayer WithOptions(RecurrentOptions options);

    /// <summary>The per-step cell sharing the given recurrent weights.</summary>
    private protected abstract RecurrentCell CreateCell(Tensor weightHh, Tensor biasHh);

    /// <summary>The per-step cell of one direction: <see cref="CreateCell(Tensor, Tensor)"/> unless the options need another.</summary>
    private protected virtual RecurrentCell CreateCell(Tensor weightHh, Tensor biasHh, Parameter? projection, LayerNormWeights? norm)
        => CreateCell(weightHh, biasHh);

    /// <summary>Sets Keras-style biases after zero init (LSTM: forget gate 1).</summary>
    private protected virtual void InitializeKerasBias(Span<float> biasIh) { }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        RequireSequenceShape(inputShape);
        return Options.ReturnSequences ? new[] { inputShape[0], OutputWidth } : new[] { OutputWidth };
    }

    /// <inheritdoc/>
    public override SequenceMask? ComputeMask(Tensor input, SequenceMask? inputMask)
        => Options.ReturnSequences ? inputMask : null;

    private void RequireSequenceShape(int[] inputShape)
    {
        if (inputShape.Length != 2)
            throw new ArgumentException(
                $"Layer '{Name}' expects inputs of shape (batch, time, features); got per-sample shape ({string.Join(", ", inputShape)}).",
                nameof(inputShape));
    }

    /// <inheritdoc/>
    protected override void BuildCore(int[] inputShape, SeededRandom random)
    {
        RequireSequenceShape(inputShape);
        InputSize = inputShape[1];
        if (InputSize <= 0)
            throw new ArgumentException($"Layer '{Name}' needs at least one input feature; got {InputSize}.", nameof(inputShape));
        int H = Units, D = Directions, S = StateSize;
        // Sizes come from callers and model files: a product that wrapped around would build a wrong, small layer.
        int GH = Limits.Product($"layer '{Name}': gates × units", GateCount, H);
        Limits.Product($"layer '{Name}': directions × units", D, H);
        _directions = new DirectionWeights[Options.NumLayers * D];
        for (int l = 0; l < Options.NumLayers; l++)
        {
            int inSize = l == 0 ? InputSize : OutputWidth;
            for (int d = 0; d < D; d++)
            {
                string suffix = $"_l{l}" + (d == 1 ? "_reverse" : "");
                var wih = AddParameter("weight_ih" + suffix, Tensor.Zeros(GH, inSize));
                var whh = AddParameter("weight_hh" + suffix, Tensor.Zeros(GH, S));
                var bih = AddParameter("bias_ih" + suffix, Tensor.Zeros(GH));
                var bhh = AddParameter("bias_hh" + suffix, Tensor.Zeros(GH));
                // PyTorch's state_dict order: the projection follows the biases.
                var whr = S != H ? AddParameter("weight_hr" + suffix, Tensor.Zeros(S, H)) : null;
                if (Options.Initialization == RecurrentInit.PyTorch)
                {
                    float k = 1f / MathF.Sqrt(H);
                    foreach (var p in new[] { wih, whh, bih, bhh }) Initializer.Uniform(p.Value.Span, -k, k, random);
                    if (whr is not null) Initializer.Uniform(whr.Value.Span, -k, k, random);
                }
                else
                {
                    Initializer.GlorotUniform(wih.Value.Span, inSize, GH, random);
                    Initializer.Orthogonal(whh.Value.Span, GH, S, random);
                    InitializeKerasBias(bih.Value.Span);
                    if (whr is not null) Initializer.GlorotUniform(whr.Value.Span, H, S, random);
                }
                var norm = Options.LayerNorm ? AddLayerNorm(suffix, GH) : null; // fixed values: the random stream is untouched
                _directions[l * D + d] = new DirectionWeights(wih, whh, bih, bhh, inSize, whr, norm);
            }
        }
        _dropoutRandom = random.Fork();
    }

    /// <summary>The gains (1) and cell bias (0) of one direction of a layer-normalised cell (see <see cref="LayerNormWeights"/>).</summary>
    private LayerNormWeights AddLayerNorm(string suffix, int gateWidth)
    {
        var names = LayerNormWeights.Names(suffix, HasCellState).ToArray();
        var inputGain = AddParameter(names[0], Tensor.Full(1f, gateWidth));
        var recurrentGain = AddParameter(names[1], Tensor.Full(1f, gateWidth));
        if (!HasCellState) return new LayerNormWeights(inputGain, recurrentGain, null, null);
        return new LayerNormWeights(inputGain, recurrentGain, AddParameter(names[2], Tensor.Full(1f, Units)), AddParameter(names[3], Tensor.Zeros(Units)));
    }

    /// <summary>
    /// Runs the layer and returns every output and the final states, PyTorch-style.
    /// </summary>
    /// <param name="input">(B, T, I).</param>
    /// <param name="initialHidden">(L·D, B, H) or null for zeros.</param>
    /// <param name="initialCell">(L·D, B, H) for LSTM, or null for zeros; must be null for other cells.</param>
    /// <param name="mask">(B, T) real steps, or null when every step is real.</param>
    /// <param name="training">Enables inter-layer dropout.</param>
    public RecurrentOutput ForwardWithState(Tensor input, Tensor? initialHidden = null, Tensor? initialCell = null,
        SequenceMask? mask = null, bool training = false)
    {
        CheckCall(input, initialHidden, initialCell, mask);
        BeginKeptCall(); // outside a recording the previous call's state goes back to the pool first
        var (output, hN, cN, state) = Run(input, initialHidden, initialCell, mask, training);
        SaveForBackward(state); // back to the pool when back-propagated or discarded
        return new RecurrentOutput(output, hN, cN);
    }

    /// <summary>
    /// The forward pass of one call, on a call state of its own (rented from the pool): nothing
    /// here touches another call's buffers or cells, so calls may run on several threads at once.
    /// </summary>
    private (Tensor Output, Tensor HiddenState, Tensor? CellState, ForwardState State) Run(Tensor input, Tensor? initialHidden,
        Tensor? initialCell, SequenceMask? mask, bool training)
    {
        int B = input.Size(0), T = input.Size(1);
        int I = InputSize, H = Units, S = StateSize, D = Directions, L = Options.NumLayers, W = OutputWidth;
        int[] stateShape = { L * D, B, S }, cellShape = { L * D, B, H };
        bool[]? valid = TimeMajorFlags(mask, B, T);
        var state = Rent(B, T, valid);
        var workspace = state.Workspace;
        var x = workspace.Get(Workspace.Use.LayerInput, 0, T * B * I); // (T, B, I)
        Layout.SwapOuter(input.Span, B, T, I, x.Span);
        var hN = Tensor.Zeros(stateShape);
        var cN = HasCellState ? Tensor.Zeros(cellShape) : null;
        for (int l = 0; l < L; l++)
        {
            state.LayerInputs[l] = x;
            var outputs = new ReadOnlyMemory<float>[D];
            for (int d = 0; d < D; d++)
            {
                int k = l * D + d;
                var w = _directions[k];
                var h0 = initialHidden is null ? new float[B * S] : initialHidden.Span.Slice(k * B * S, B * S).ToArray();
                var c0 = !HasCellState ? Array.Empty<float>()
                    : initialCell is null ? new float[B * H] : initialCell.Span.Slice(k * B * H, B * H).ToArray();
                var dropout = training
                    ? VariationalDropout.Draw(Options.InputDropout, Options.RecurrentDropout, B, w.InputSize, S, _dropoutRandom!)
                    : null;
                var zoneout = Zoneout.Create(Options.ZoneoutHidden, Options.ZoneoutCell, training, T, B, S, HasCellState ? H : 0, _dropoutRandom!);
                var cache = SequenceLoop.Forward(state.Cells[k], x.Span, T, B, w.InputSize, w.WeightIh.Value, w.BiasIh.Value, h0, c0, valid, d == 1,
                    reuse: state.Caches[k], dropout: dropout, zoneout: zoneout, int8WeightIh: _int8?[k].WeightIh);
                state.Caches[k] = cache;
                outputs[d] = cache.Output(masked: valid is not null);
                cache.StateAt(cache.FinalSlot).CopyTo(hN.Span.Slice(k * B * S, B * S));
                if (cN is not null) cache.CellAt(cache.FinalSlot).CopyTo(cN.Span.Slice(k * B * H, B * H));
            }
            var merged = workspace.Get(Workspace.Use.LayerInput, l + 1, T * B * W); // (T, B, W)
            DirectionMerge.Merge(Options.MergeMode, outputs, T * B, S, merged.Span);
            state.DropoutScales[l] = training && Options.Dropout > 0f && l < L - 1
                ? ApplyDropout(merged, workspace.Get(Workspace.Use.DropoutScale, l, merged.Length))
                : (Memory<float>?)null; // not a bare null: that would convert to an empty Memory through float[]
            x = merged;
        }
        var output = new Tensor(Layout.SwapOuter(x.Span, T, B, W), B, T, W);
        return (output, hN, cN, state);
    }

    /// <summary>
    /// Runs the layer for inference only: no backward cache is kept (the call's buffers go back to
    /// the pool before it returns), so any number of threads may call this at once on one layer
    /// and each gets exactly what it would get alone. Returns every output and the final states.
    /// </summary>
    /// <remarks>Not with <see cref="Stateful"/> carrying (that state belongs to one stream).</remarks>
    public RecurrentOutput Infer(Tensor input, Tensor? initialHidden = null, Tensor? initialCell = null, SequenceMask? mask = null)
    {
        CheckCall(input, initialHidden, initialCell, mask);
        var (output, hN, cN, state) = Run(input, initialHidden, initialCell, mask, training: false);
        Release(state);
        return new RecurrentOutput(output, hN, cN);
    }

    /// <summary>
    /// One step of every sequence of a batch, for inference: <paramref name="input"/> (B, I) is
    /// x_t, <paramref name="state"/> the state entering the step (null: zeros). Returns the
    /// step's output (B, W) and the state leaving it. Stepping a sequence one step at a time
    /// gives the same bits as running it whole. Safe from many threads at once (as <see cref="Infer(Tensor, Tensor?, Tensor?, SequenceMask?)"/>).
    /// </summary>
    public (Tensor Output, RecurrentState State) Step(Tensor input, RecurrentState? state = null)
    {
        Tensor.RequireRank(input, 2, nameof(input), "(batch, features)");
        int B = input.Size(0);
        state?.RequireShape(this, B, nameof(state));
        var r = Infer(input.Reshape(B, 1, input.Size(1)), state?.Hidden, state?.Cell);
        return (r.Output.Reshape(B, OutputWidth), new RecurrentState(r.HiddenState, r.CellState));
    }

    private void CheckCall(Tensor input, Tensor? initialHidden, Tensor? initialCell, SequenceMask? mask)
    {
        Tensor.RequireRank(input, 3, nameof(input), "(batch, time, features)");
        int B = input.Size(0), T = input.Size(1);
        EnsureBuilt(input);
        int[] stateShape = { Options.NumLayers * Directions, B, StateSize }, cellShape = { Options.NumLayers * Directions, B, Units };
        if (initialHidden is not null) Tensor.RequireShape(initialHidden, stateShape, nameof(initialHidden));
        if (initialCell is not null)
        {
            if (!HasCellState)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) has no cell state; pass initialCell only to an LSTM.", nameof(initialCell));
            Tensor.RequireShape(initialCell, cellShape, nameof(initialCell));
        }
        mask?.RequireShape(B, T, nameof(mask));
        if (Options.CheckFinite)
        {
            input.ThrowIfNonFinite(nameof(input));
            initialHidden?.ThrowIfNonFinite(nameof(initialHidden));
            initialCell?.ThrowIfNonFinite(nameof(initialCell));
        }
    }

    /// <summary>A call state for a batch of <paramref name="batch"/> × <paramref name="steps"/>: an idle one (its buffers reused when they fit) or a new one.</summary>
    private ForwardState Rent(int batch, int steps, bool[]? valid)
    {
        if (!_idle.TryTake(out var state))
        {
            var cells = new RecurrentCell[_directions.Length];
            for (int k = 0; k < cells.Length; k++)
            {
                cells[k] = CreateCell(_directions[k].WeightHh.Value, _directions[k].BiasHh.Value, _directions[k].WeightHr, _directions[k].Norm);
                if (_int8 is not null) cells[k].UseInt8(_int8[k].WeightHhGates);
            }
            state = new ForwardState(Options.NumLayers, Directions, cells);
        }
        state.Begin(batch, steps, valid);
        return state;
    }

    /// <summary>Returns a call state to the pool; a backward pass through it is refused from now on.</summary>
    private void Release(ForwardState state)
    {
        if (state.Released) return;
        state.Released = true;
        _idle.Add(state);
    }

    /// <summary>
    /// Back-propagates through the latest <see cref="ForwardWithState"/> (or <see cref="Forward"/>)
    /// call not yet back-propagated: accumulates every parameter gradient and returns the
    /// gradients of the input and the initial states. The call's buffers then go back to the pool.
    /// </summary>
    /// <param name="gradOutput">(B, T, W) ∂L/∂output, or null.</param>
    /// <param name="gradHidden">(L·D, B, H) ∂L/∂h_n, or null.</param>
    /// <param name="gradCell">(L·D, B, H) ∂L/∂c_n (LSTM), or null.</param>
    /// <param name="inputGradient">
    /// False when nothing needs ∂L/∂input (the input is data, as for PyTorch tensors without
    /// <c>requires_grad</c>): the input-gradient multiply of the first layer is skipped and
    /// <see cref="RecurrentGradients.Input"/> is null. Parameter gradients are the same either way.
    /// </param>
    public RecurrentGradients BackwardWithState(Tensor? gradOutput, Tensor? gradHidden = null, Tensor? gradCell = null,
        bool inputGradient = true)
    {
        RequireFloat();
        var state = TakeForBackward<ForwardState>(s => CheckGradients(s, gradOutput, gradHidden, gradCell));
        try
        {
            return BackwardThrough(state, gradOutput, gradHidden, gradCell, inputGradient);
        }
        finally
        {
            Release(state);
        }
    }

    private void CheckGradients(ForwardState state, Tensor? gradOutput, Tensor? gradHidden, Tensor? gradCell)
    {
        int[] stateShape = { Options.NumLayers * Directions, state.B, StateSize }, cellShape = { Options.NumLayers * Directions, state.B, Units };
        if (gradOutput is not null) Tensor.RequireShape(gradOutput, new[] { state.B, state.T, OutputWidth }, nameof(gradOutput));
        if (gradHidden is not null) Tensor.RequireShape(gradHidden, stateShape, nameof(gradHidden));
        if (gradCell is not null)
        {
            if (!HasCellState)
                throw new ArgumentException($"Layer '{Name}' ({GetType().Name}) has no cell state; gradCell must be null.", nameof(gradCell));
            Tensor.RequireShape(gradCell, cellShape, nameof(gradCell));
        }
    }

    /// <summary>BPTT through one call's state (gradients already checked against it).</summary>
    private RecurrentGradients BackwardThrough(ForwardState state, Tensor? gradOutput, Tensor? gradHidden, Tensor? gradCell, bool inputGradient)
    {
        var workspace = state.Workspace;
        int B = state.B, T = state.T, H = Units, S = StateSize, D = Directions, L = Options.NumLayers, W = OutputWidth;
        int[] stateShape = { L * D, B, S }, cellShape = { L * D, B, H };

        // ∂L/∂(merged output of layer l), time-major (T, B, W_l)
        Memory<float>? dMerged = null;
        if (gradOutput is not null)
        {
            dMerged = workspace.Get(Workspace.Use.GradMerged, 0, T * B * W);
            Layout.SwapOuter(gradOutput.Span, B, T, W, dMerged.Value.Span);
        }
        var dh0 = Tensor.Zeros(stateShape);
        var dc0 = HasCellState ? Tensor.Zeros(cellShape) : null;
        bool splitIsIdentity = DirectionMerge.SplitIsIdentity(Options.MergeMode, D);
        var dy = splitIsIdentity ? Memory<float>.Empty : workspace.Get(Workspace.Use.GradDirection, 0, T * B * S);
        var norms = RecordStepGradientNorms ? Tensor.Zeros(L * D, T) : null; // (L·D, T)
        for (int l = L - 1; l >= 0; l--)
        {
            if (dMerged is { } scaled && state.DropoutScales[l] is { } scales)
            {
                Span<float> g = scaled.Span, m = scales.Span;
                for (int k = 0; k < g.Length; k++) g[k] *= m[k];
            }
            int inSize = _directions[l * D].InputSize;
            var dx = l == 0 && !inputGradient ? Memory<float>.Empty
                : workspace.Get(Workspace.Use.GradInput, l, T * B * inSize, clear: true); // accumulated by both directions
            for (int d = 0; d < D; d++)
            {
                int k = l * D + d;
                var w = _directions[k];
                if (dMerged is { } split && !splitIsIdentity) DirectionMerge.Split(Options.MergeMode, D, d, split.Span, T * B, S, dy.Span);
                SequenceLoop.Backward(state.Cells[k], state.Caches[k]!, state.LayerInputs[l].Span, inSize, w.WeightIh.Value,
                    dMerged is not { } dOut ? ReadOnlySpan<float>.Empty : splitIsIdentity ? dOut.Span : dy.Span,
                    gradHidden is null ? ReadOnlySpan<float>.Empty : gradHidden.Span.Slice(k * B * S, B * S),
                    gradCell is null ? ReadOnlySpan<float>.Empty : gradCell.Span.Slice(k * B * H, B * H),
                    state.Valid,
                    w.WeightIh.Grad.Span, w.BiasIh.Grad.Span, w.WeightHh.Grad.Span, w.BiasHh.Grad.Span,
                    dx.Span, dh0.Span.Slice(k * B * S, B * S), dc0 is null ? Span<float>.Empty : dc0.Span.Slice(k * B * H, B * H),
                    norms is null ? Span<float>.Empty : norms.Span.Slice(k * T, T));
            }
            dMerged = dx;
        }
        if (norms is not null) StepGradientNorms = norms;
        var dInput = inputGradient ? new Tensor(Layout.SwapOuter(dMerged!.Value.Span, T, B, InputSize), B, T, InputSize) : null;
        return new RecurrentGradients(dInput, dh0, dc0);
    }

    /// <summary>
    /// Runs the layer: (B, T, I) → (B, T, W) when returning sequences, else (B, W).
    /// </summary>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
        => Call(input, mask, training, keepForBackward: true);

    /// <summary>One call of the layer as a layer (states from the carry when stateful, else zeros).</summary>
    private Tensor Call(Tensor input, SequenceMask? mask, bool training, bool keepForBackward)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_stateful && _carriedHidden is not null && input.Rank == 3 && _carriedHidden.Size(1) != input.Size(0))
            throw new ArgumentException(
                $"Stateful layer '{Name}' carries states for a batch of {_carriedHidden.Size(1)}; got a batch of {input.Size(0)}. Call ResetStates() between streams.",
                nameof(input));
        var (h0, c0) = _stateful ? (_carriedHidden, _carriedCell) : (null, null);
        CheckCall(input, h0, c0, mask);
        if (keepForBackward) BeginKeptCall();
        var (output, hN, cN, state) = Run(input, h0, c0, mask, training);
        if (keepForBackward) SaveForBackward(state);
        else Release(state);
        if (_stateful) (_carriedHidden, _carriedCell) = (hN, cN);
        return Options.ReturnSequences ? output : LastOutput(hN);
    }

    /// <summary>
    /// Inference: (B, T, I) → (B, T, W) or (B, W) as <see cref="Forward"/>, keeping no backward
    /// cache; safe from many threads at once unless the layer is <see cref="Stateful"/> (a carried
    /// state belongs to one stream: that path is single-caller).
    /// </summary>
    public override Tensor Infer(Tensor input, SequenceMask? mask = null) => Call(input, mask, training: false, keepForBackward: false);

    /// <inheritdoc/>
    /// <remarks>The calls' buffers go back to the pool.</remarks>
    public override void DiscardPendingCalls()
    {
        foreach (var call in TakeAllForBackward()) Release((ForwardState)call);
    }

    /// <summary>The state carried into the next call when <see cref="Stateful"/> (null before the first call or after <see cref="ResetStates"/>).</summary>
    public RecurrentState? GetState() => _carriedHidden is null ? null : new RecurrentState(_carriedHidden.Clone(), _carriedCell?.Clone());

    /// <summary>
    /// Sets the state the next call of a <see cref="Stateful"/> layer starts from (null: zeros).
    /// </summary>
    /// <exception cref="ArgumentException">The state's shape is not (L·D, B, H) for this layer, or it lacks (or has) a cell state.</exception>
    public void SetState(RecurrentState? state)
    {
        if (state is null)
        {
            ResetStates();
            return;
        }
        if (!_stateful)
            throw new InvalidOperationException($"Layer '{Name}' is not stateful; set Stateful = true before SetState (or pass the state to Step or ForwardWithState).");
        state.RequireShape(this, state.Batch, nameof(state));
        (_carriedHidden, _carriedCell) = (state.Hidden.Clone(), state.Cell?.Clone());
    }

    /// <summary>True for an LSTM: its state has a cell part.</summary>
    public bool HasCell => HasCellState;

    /// <inheritdoc/>
    public override Tensor Backward(Tensor gradOutput) => BackwardCore(gradOutput, inputGradient: true)!;

    internal override void BackwardToParameters(Tensor gradOutput) => BackwardCore(gradOutput, inputGradient: false);

    private Tensor? BackwardCore(Tensor gradOutput, bool inputGradient)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        RequireFloat();
        if (Options.ReturnSequences) return BackwardWithState(gradOutput, inputGradient: inputGradient).Input;
        var state = TakeForBackward<ForwardState>(s => Tensor.RequireShape(gradOutput, new[] { s.B, OutputWidth }, nameof(gradOutput)));
        try
        {
            // The last output is the merged final state of the top layer: route its gradient there.
            int B = state.B, H = StateSize, D = Directions, top = Options.NumLayers - 1;
            var dHidden = Tensor.Zeros(Options.NumLayers * D, B, H);
            for (int d = 0; d < D; d++)
                DirectionMerge.Split(Options.MergeMode, D, d, gradOutput.Span, B, H, dHidden.Span.Slice((top * D + d) * B * H, B * H));
            return BackwardThrough(state, null, dHidden, null, inputGradient).Input;
        }
        finally
        {
            Release(state);
        }
    }

    /// <summary>(B, W): the merged final hidden states of the top layer.</summary>
    private Tensor LastOutput(Tensor hidden)
    {
        int D = Directions, B = hidden.Size(1), H = StateSize, top = Options.NumLayers - 1;
        var finals = new ReadOnlyMemory<float>[D];
        for (int d = 0; d < D; d++) finals[d] = hidden.Span.Slice((top * D + d) * B * H, B * H).ToArray();
        var last = Tensor.Zeros(B, OutputWidth);
        DirectionMerge.Merge(Options.MergeMode, finals, B, H, last.Span);
        return last;
    }

    private Memory<float> ApplyDropout(Memory<float> values, Memory<float> scales)
    {
        float keep = 1f - Options.Dropout, scale = 1f / keep;
        Span<float> v = values.Span, m = scales.Span;
        for (int k = 0; k < v.Length; k++)
        {
            m[k] = _dropoutRandom!.NextFloat() < keep ? scale : 0f;
            v[k] *= m[k];
        }
        return scales;
    }

    private static bool[]? TimeMajorFlags(SequenceMask? mask, int batch, int steps)
    {
        if (mask is null) return null;
        var valid = new bool[steps * batch];
        bool all = true;
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
            {
                valid[t * batch + b] = mask[b, t];
                all &= mask[b, t];
            }
        return all ? null : valid;
    }

    /// <summary>
    /// True once <see cref="Quantize"/> has made int8 weights: inference runs on them, backward is refused.
    /// </summary>
    public bool IsQuantized => _int8 is not null;

    /// <summary>
    /// True when <see cref="Quantize"/> can quantise this layer: plain LSTM, GRU (either reset
    /// mode) and SimpleRNN cells; not layer-normalised or projected cells (PyTorch's
    /// <c>quantize_dynamic</c> likewise leaves modules it has no int8 form for in float32).
    /// </summary>
    public bool CanQuantize => !Options.LayerNorm && Options.ProjectionSize == 0;

    /// <summary>
    /// Dynamic int8 quantisation for inference (the scheme of PyTorch's <c>quantize_dynamic</c>):
    /// W_ih (GH, I) and W_hh (GH, H) of every layer and direction are quantised once, now, per
    /// output row (symmetric int8, one step per row: <see cref="QuantizedMatrix"/>); the inputs
    /// and h_{t−1} are quantised per row at each call and step (u8 with a zero point), the
    /// products summed in int32, and biases, gates and states stay float32. Later calls of
    /// <see cref="Forward"/>, <see cref="Infer(Tensor, SequenceMask?)"/>, <see cref="ForwardWithState"/>
    /// and <see cref="Step"/> use the int8 weights; backward passes are refused. Changing the float
    /// weights afterwards does not change the int8 ones.
    /// </summary>
    /// <returns>False (and nothing changes) when <see cref="CanQuantize"/> is false.</returns>
    /// <exception cref="InvalidOperationException">The layer is not built yet.</exception>
    internal bool Quantize()
    {
        if (!IsBuilt) throw new InvalidOperationException($"Layer '{Name}' is not built yet: build it before quantising it.");
        if (!CanQuantize) return false;
        int H = Units;
        var int8 = new Int8Weights[_directions.Length];
        for (int k = 0; k < int8.Length; k++)
        {
            var w = _directions[k];
            var whh = w.WeightHh.Value.Span; // (GH, S)
            var gates = new QuantizedMatrix[GateCount];
            for (int g = 0; g < gates.Length; g++) gates[g] = new QuantizedMatrix(whh.Slice(g * H * StateSize, H * StateSize), H, StateSize, StateSize);
            int8[k] = new Int8Weights(new QuantizedMatrix(w.WeightIh.Value.Span, GateCount * H, w.InputSize, w.InputSize), gates);
        }
        _int8 = int8;
        while (_idle.TryTake(out _)) { } // pooled cells were made for the float weights
        return true;
    }

    private void RequireFloat()
    {
        if (_int8 is not null)
            throw new InvalidOperationException(
                $"Layer '{Name}' is quantised to int8 for inference only and has no backward pass; train the float32 layer it was made from and quantise it again.");
    }

    /// <summary>One direction's int8 weights: W_ih (GH, I) whole, W_hh by gate block, each (H, S).</summary>
    private sealed record Int8Weights(QuantizedMatrix WeightIh, QuantizedMatrix[] WeightHhGates);

    private sealed record DirectionWeights(Parameter WeightIh, Parameter WeightHh, Parameter BiasIh, Parameter BiasHh, int InputSize,
        Parameter? WeightHr, LayerNormWeights? Norm);

    /// <summary>
    /// One call of the layer: what its forward pass left for backward, with the buffers and the
    /// cells (whose packed weights are per call) it ran on. Pooled: a released state is reused by
    /// a later call.
    /// </summary>
    private sealed class ForwardState(int layers, int directions, RecurrentCell[] cells)
    {
        public int B { get; private set; }
        public int T { get; private set; }
        public bool[]? Valid { get; private set; }                          // (T, B)
        public bool Released { get; set; }
        public RecurrentCell[] Cells { get; } = cells;                      // [layer·D + d]
        public Workspace Workspace { get; } = new();
        public Memory<float>[] LayerInputs { get; } = new Memory<float>[layers]; // each (T, B, I_l), a view of the workspace
        public DirectionCache?[] Caches { get; } = new DirectionCache[layers * directions];
        public Memory<float>?[] DropoutScales { get; } = new Memory<float>?[layers]; // each (T, B, W) or null

        public void Begin(int batch, int steps, bool[]? valid) => (B, T, Valid, Released) = (batch, steps, valid, false);
    }
}
