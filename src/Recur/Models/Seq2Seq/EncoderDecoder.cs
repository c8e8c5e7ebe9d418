using Recur.Layers;
using Recur.Layers.Attention;
using Recur.Layers.Recurrent;

namespace Recur.Models.Seq2Seq;

/// <summary>
/// A sequence-to-sequence network (Luong et al. 2015, global attention): an embedding and a
/// (bi)directional recurrent encoder, its final states bridged into a recurrent decoder, attention
/// of every decoder state over the encoder's outputs, and a softmax over the target vocabulary.
/// Trained with teacher forcing as one layer of a <see cref="Sequential"/> (so through
/// <c>Model.Fit</c>); decoded one token at a time through <see cref="EncoderDecoderStepper"/>.
/// </summary>
/// <remarks>
/// <para>Shapes (B batch, Ts source and Tt target steps, E embedding, H_e encoder units per
/// direction, D directions, W_e = D·H_e, H_d decoder units, V target vocabulary):</para>
/// <code>
/// source ids (B, Ts) → embedding (B, Ts, E) → encoder → m (B, Ts, W_e), final states (L·D, B, H_e)
/// bridge: h_0 = tanh(W_h [h_fwd; h_bwd] + b_h), c_0 = W_c [c_fwd; c_bwd] + b_c   (L_d, B, H_d)
/// decoder input ids (B, Tt) = start, y_1 … → embedding → decoder from (h_0, c_0) → h (B, Tt, H_d)
/// context c_t = attention(h_t, m, source mask) (B, Tt, W_e)
/// h̃_t = tanh(W_a [c_t; h_t] + b_a) (B, Tt, H_d) → dropout → logits W_o h̃_t + b_o (B, Tt, V)
/// </code>
/// <para>Packed layout (one input tensor, as <c>Fit</c> takes): x (B, Ts + Tt) holds the source ids
/// (right-padded with <see cref="Pad"/>) then the decoder input ids (<see cref="Start"/>, y_1 … y_n,
/// padding); y (B, Tt) holds y_1 … y_n, <see cref="End"/>, padding (<see cref="Pack"/>). The
/// output mask is the target's real steps, so the per-step loss ignores the padding. Each batch is
/// run only as long as its longest source and target; later logits are zeros (masked).</para>
/// <para>Without input feeding the decoder runs over the whole target at once. With
/// <see cref="EncoderDecoderOptions.InputFeeding"/> (Luong et al. 2015, §3.3) each step's input is
/// the token's embedding beside the previous step's attentional state, x_t = [y_t; h̃_{t−1}]
/// (B, 1, E + H_d) with h̃_0 = 0 (h̃ after its dropout, as OpenNMT feeds it), so decoder,
/// attention and combination run one step at a time; the logits are computed once, for all steps.</para>
/// </remarks>
public sealed class EncoderDecoder : Layer
{
    /// <summary>Padding id (both vocabularies).</summary>
    public const int Pad = 0;

    /// <summary>The start token fed at the first decoder step.</summary>
    public const int Start = 1;

    /// <summary>The end token that closes every target.</summary>
    public const int End = 2;

    /// <summary>The id of tokens not in the vocabulary.</summary>
    public const int Unknown = 3;

    /// <summary>The first id of a real token.</summary>
    public const int FirstToken = 4;

    private readonly Layer[] _all;

    /// <summary>Creates the network (unbuilt) for <paramref name="options"/>.</summary>
    public EncoderDecoder(EncoderDecoderOptions options, string? name = null) : base(name ?? "encoder_decoder")
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        SourceEmbedding = new Embedding(options.SourceVocabulary, options.Embedding, name: "source_embedding");
        TargetEmbedding = new Embedding(options.TargetVocabulary, options.Embedding, name: "target_embedding");
        var encoderOptions = new RecurrentOptions { ReturnSequences = true, NumLayers = options.EncoderLayers, Bidirectional = options.Bidirectional };
        var decoderOptions = new RecurrentOptions { ReturnSequences = true, NumLayers = options.DecoderLayers };
        Encoder = options.Cell == Seq2SeqCell.Lstm ? new Lstm(options.EncoderUnits, encoderOptions, "encoder") : new Gru(options.EncoderUnits, encoderOptions, name: "encoder");
        Decoder = options.Cell == Seq2SeqCell.Lstm ? new Lstm(options.DecoderUnits, decoderOptions, "decoder") : new Gru(options.DecoderUnits, decoderOptions, name: "decoder");
        int stateWidth = options.DecoderLayers * options.DecoderUnits;
        BridgeHidden = new Dense(stateWidth, Activation.Tanh, name: "bridge_hidden");
        BridgeCell = options.Cell == Seq2SeqCell.Lstm ? new Dense(stateWidth, name: "bridge_cell") : null;
        Attention = options.Attention switch
        {
            Seq2SeqAttention.Dot => new DotAttention("attention"),
            Seq2SeqAttention.General => new GeneralAttention("attention"),
            Seq2SeqAttention.Additive => new AdditiveAttention(options.AttentionUnits, "attention"),
            _ => null,
        };
        Combine = new Dense(options.DecoderUnits, Activation.Tanh, name: "combine");
        Output = new Dense(options.TargetVocabulary, name: "output");
        SourceDropout = new Dropout(options.Dropout, name: "source_dropout");
        TargetDropout = new Dropout(options.Dropout, name: "target_dropout");
        OutputDropout = new Dropout(options.Dropout, name: "output_dropout");
        _all = new Layer?[] { SourceEmbedding, Encoder, BridgeHidden, BridgeCell, TargetEmbedding, Decoder, Attention, Combine, Output }
            .OfType<Layer>().ToArray();
    }

    /// <summary>The architecture.</summary>
    public EncoderDecoderOptions Options { get; }

    /// <summary>Source token embedding (V_s, E).</summary>
    public Embedding SourceEmbedding { get; }

    /// <summary>Target token embedding (V, E).</summary>
    public Embedding TargetEmbedding { get; }

    /// <summary>The encoder, returning every step.</summary>
    public RecurrentLayer Encoder { get; }

    /// <summary>The decoder, returning every step.</summary>
    public RecurrentLayer Decoder { get; }

    /// <summary>Maps the encoder's final hidden states (B, D·H_e) to the decoder's initial ones (B, L_d·H_d).</summary>
    public Dense BridgeHidden { get; }

    /// <summary>The same for LSTM cell states; null for GRU.</summary>
    public Dense? BridgeCell { get; }

    /// <summary>The attention over the encoder outputs; null without attention.</summary>
    public AttentionLayer? Attention { get; }

    /// <summary>h̃ = tanh(W_a [context; h] + b_a).</summary>
    public Dense Combine { get; }

    /// <summary>The logits over the target vocabulary.</summary>
    public Dense Output { get; }

    internal Dropout SourceDropout { get; }

    internal Dropout TargetDropout { get; }

    internal Dropout OutputDropout { get; }

    /// <summary>The parameterised parts, in a fixed order (the order of the saved weights).</summary>
    public IReadOnlyList<Layer> Parts => _all;

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _all.SelectMany(l => l.Parameters).ToList();

    /// <inheritdoc/>
    /// <remarks>The per-sample input is the packed (Ts + Tt) ids.</remarks>
    protected override void BuildCore(int[] inputShape, SeededRandom random)
    {
        RequirePackedShape(inputShape);
        var o = Options;
        SourceEmbedding.Build([-1], random.Fork());
        Encoder.Build([-1, o.Embedding], random.Fork());
        BridgeHidden.Build([o.EncoderWidth], random.Fork());
        BridgeCell?.Build([o.EncoderWidth], random.Fork());
        TargetEmbedding.Build([-1], random.Fork());
        Decoder.Build([-1, o.Embedding + (o.InputFeeding ? o.DecoderUnits : 0)], random.Fork());
        Attention?.Build(o.DecoderUnits, o.EncoderWidth, random.Fork());
        Combine.Build([-1, (Attention is null ? 0 : o.EncoderWidth) + o.DecoderUnits], random.Fork());
        Output.Build([-1, o.DecoderUnits], random.Fork());
        foreach (var d in new[] { SourceDropout, TargetDropout, OutputDropout }) d.Build([-1, 1], random.Fork());
    }

    private void RequirePackedShape(int[] inputShape)
    {
        if (inputShape.Length != 1 || inputShape[0] != Options.SourceSteps + Options.TargetSteps)
            throw new ArgumentException(
                $"Layer '{Name}' takes packed ids of shape (batch, {Options.SourceSteps + Options.TargetSteps}) = {Options.SourceSteps} source + {Options.TargetSteps} target steps; got (batch, {string.Join(", ", inputShape)}).",
                nameof(inputShape));
    }

    /// <inheritdoc/>
    /// <remarks>(Ts + Tt) → (Tt, V).</remarks>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        RequirePackedShape(inputShape);
        return [Options.TargetSteps, Options.TargetVocabulary];
    }

    /// <summary>The target's real steps (B, Tt): the decoder input ids that are not padding.</summary>
    public override SequenceMask? ComputeMask(Tensor input, SequenceMask? inputMask)
    {
        ArgumentNullException.ThrowIfNull(input);
        int B = input.Size(0), Ts = Options.SourceSteps, Tt = Options.TargetSteps;
        var valid = new bool[B * Tt];
        for (int b = 0; b < B; b++)
            for (int t = 0; t < Tt; t++) valid[b * Tt + t] = input.Span[b * (Ts + Tt) + Ts + t] != Pad;
        return new SequenceMask(valid, B, Tt);
    }

    /// <summary>
    /// Packs pairs into the training layout: x (N, Ts + Tt) and y (N, Tt) (see the class remarks).
    /// <paramref name="sources"/> and <paramref name="targets"/> hold token ids ≥ <see cref="FirstToken"/> (or <see cref="Unknown"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A source is empty or longer than Ts, or a target is longer than Tt − 1; the message names the pair.</exception>
    public static (Tensor X, Tensor Y) Pack(EncoderDecoderOptions options, IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(targets);
        if (sources.Count != targets.Count)
            throw new ArgumentException($"targets has {targets.Count} sequences; expected {sources.Count}, one per source.", nameof(targets));
        int N = sources.Count, Ts = options.SourceSteps, Tt = options.TargetSteps;
        var x = Tensor.Zeros(N, Ts + Tt);
        var y = Tensor.Zeros(N, Tt);
        for (int i = 0; i < N; i++)
        {
            var s = sources[i];
            var t = targets[i];
            if (s.Length == 0 || s.Length > Ts)
                throw new ArgumentException($"sources[{i}] has {s.Length} tokens; expected 1 to {Ts}.", nameof(sources));
            if (t.Length > Tt - 1)
                throw new ArgumentException($"targets[{i}] has {t.Length} tokens; at most {Tt - 1} fit (the end token takes a step).", nameof(targets));
            var row = x.Span.Slice(i * (Ts + Tt), Ts + Tt);
            for (int j = 0; j < s.Length; j++) row[j] = s[j];
            row[Ts] = Start;
            for (int j = 0; j < t.Length; j++)
            {
                row[Ts + 1 + j] = t[j];
                y.Span[i * Tt + j] = t[j];
            }
            y.Span[i * Tt + t.Length] = End;
        }
        return (x, y);
    }

    /// <summary>
    /// The batching key of every packed row (N, Ts + Tt): source length · (Tt + 1) + decoder input
    /// length, so that rows sorted by it share their source length first and their target length
    /// next. Batches of such rows (<see cref="Data.LengthBuckets"/>) are cut to little more than
    /// their rows' own lengths (see the class remarks).
    /// </summary>
    public static int[] LengthKeys(EncoderDecoderOptions options, Tensor packed)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(packed);
        int Ts = options.SourceSteps, Tt = options.TargetSteps;
        Tensor.RequireRank(packed, 2, nameof(packed), "(rows, source + target steps) of packed ids");
        Tensor.RequireShape(packed, [packed.Size(0), Ts + Tt], nameof(packed));
        var (_, sources, _) = Slice(packed, 0, Ts, Ts + Tt);
        var (_, targets, _) = Slice(packed, Ts, Tt, Ts + Tt);
        return sources.Select((s, i) => s * (Tt + 1) + targets[i]).ToArray();
    }

    /// <summary>Teacher-forced logits (B, Tt, V) for packed input (B, Ts + Tt).</summary>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => Run(input, training, keep: true);

    /// <summary>Teacher-forced logits as <see cref="Forward"/>, keeping no backward cache.</summary>
    public override Tensor Infer(Tensor input, SequenceMask? mask = null) => Run(input, training: false, keep: false);

    /// <summary>
    /// Every part, the dropouts too: a model's recording of calls (an encoder–decoder applied more
    /// than once in one pass), its freezing (<see cref="Layer.Trainable"/>) and its state calls reach them.
    /// </summary>
    public override IEnumerable<Layer> InnerLayers => _all.Append(SourceDropout).Append(TargetDropout).Append(OutputDropout);

    /// <inheritdoc/>
    /// <remarks>The parts' streams (the dropouts'), so that a backup restores them.</remarks>
    public override IEnumerable<SeededRandom> RandomStreams => InnerLayers.SelectMany(l => l.RandomStreams);

    /// <summary>The parts' <see cref="Layer.DiscardPendingCalls"/> too.</summary>
    public override void DiscardPendingCalls()
    {
        base.DiscardPendingCalls();
        foreach (var part in InnerLayers) part.DiscardPendingCalls();
    }

    /// <summary>A part's forward call: kept for the backward pass, or inference only.</summary>
    internal static Tensor Call(Layer part, Tensor x, bool training, bool keep) => keep ? part.Forward(x, null, training) : part.Infer(x);

    private Tensor Run(Tensor input, bool training, bool keep)
    {
        Tensor.RequireRank(input, 2, nameof(input), "(batch, source + target steps) of packed ids");
        EnsureBuilt(input);
        var o = Options;
        int B = input.Size(0), Ts = o.SourceSteps, Tt = o.TargetSteps, V = o.TargetVocabulary;
        var (source, sourceLengths, ts) = Slice(input, 0, Ts, Ts + Tt);
        var (targetIn, _, tt) = Slice(input, Ts, Tt, Ts + Tt);
        var p = new Pass { B = B, Ts = ts, Tt = tt, SourceMask = SequenceMask.FromLengths(sourceLengths, ts) };
        // Outside a recording a new call replaces the pending one, the parts' calls included (the
        // steps of input feeding are recorded in the parts however the network is called).
        if (keep) BeginKeptCall();

        var encoded = Encode(source, p.SourceMask, training, keep);                                         // m (B, ts, W_e)
        var (h0, c0) = BridgeStates(encoded.HiddenState, encoded.CellState, B, keep);                        // (L_d, B, H_d)
        var y = Call(TargetDropout, Call(TargetEmbedding, targetIn, training, keep), training, keep);        // (B, tt, E)
        Tensor hTilde;                                                                                      // (B, tt, H_d) after dropout
        if (o.InputFeeding) hTilde = FeedingDecode(y, h0, c0, encoded.Output, p.SourceMask, training, keep ? p : null);
        else
        {
            var decoded = keep ? Decoder.ForwardWithState(y, h0, c0, training: training) : Decoder.Infer(y, h0, c0); // h (B, tt, H_d)
            hTilde = Attentional(decoded.Output, encoded.Output, p.SourceMask, training, keep ? p : null);
        }
        var logits = Call(Output, hTilde, training, keep);                                                   // (B, tt, V)
        if (keep) SaveForBackward(p);

        if (tt == Tt) return logits;
        var full = Tensor.Zeros(B, Tt, V);
        for (int b = 0; b < B; b++) logits.Span.Slice(b * tt * V, tt * V).CopyTo(full.Span.Slice(b * Tt * V, tt * V));
        return full;
    }

    /// <summary>
    /// The decoder with input feeding, one step at a time: x_t = [y_t; h̃_{t−1}] (B, 1, E + H_d),
    /// h̃_0 = 0; (h_t, c_t) = decoder step; h̃_t = attentional state of h_t. Returns h̃ (B, T, H_d) after dropout.
    /// </summary>
    /// <remarks>With a <paramref name="pass"/> every step's calls are kept for the backward pass (latest on top).</remarks>
    private Tensor FeedingDecode(Tensor y, Tensor h0, Tensor? c0, Tensor memory, SequenceMask sourceMask, bool training, Pass? pass)
    {
        int B = y.Size(0), T = y.Size(1), H = Options.DecoderUnits;
        using var recording = pass is null ? null : RecordStepCalls();
        var fed = Tensor.Zeros(B, 1, H);                                                       // h̃_{t−1}
        var hTilde = Tensor.Zeros(B, T, H);                                                    // (B, T, H_d)
        var (h, c) = (h0, c0);
        for (int t = 0; t < T; t++)
        {
            var x = ConcatLast(StepOf(y, t), fed);                                             // (B, 1, E + H_d)
            var r = pass is not null ? Decoder.ForwardWithState(x, h, c, training: training) : Decoder.Infer(x, h, c);
            (h, c) = (r.HiddenState, r.CellState);
            fed = Attentional(r.Output, memory, sourceMask, training, pass);                   // (B, 1, H_d)
            for (int b = 0; b < B; b++) fed.Span.Slice(b * H, H).CopyTo(hTilde.Span.Slice((b * T + t) * H, H));
        }
        return hTilde;
    }

    /// <summary>Records the calls of the parts that run once per step with input feeding (decoder, combination, its dropout).</summary>
    private IDisposable RecordStepCalls() => new Scopes([Decoder.RecordCalls(), Combine.RecordCalls(), OutputDropout.RecordCalls()]);

    private sealed class Scopes(IDisposable[] scopes) : IDisposable
    {
        public void Dispose()
        {
            foreach (var s in scopes) s.Dispose();
        }
    }

    /// <summary>
    /// Back-propagates ∂L/∂logits (B, Tt, V) through the latest pending <see cref="Forward"/>: every part's
    /// parameter gradients accumulate; the ids have no gradient (returns zeros of the input's shape).
    /// </summary>
    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var o = Options;
        var p = TakeForBackward<Pass>(c => Tensor.RequireShape(gradOutput, [c.B, o.TargetSteps, o.TargetVocabulary], nameof(gradOutput)));
        int B = p.B, Tt = o.TargetSteps, V = o.TargetVocabulary, tt = p.Tt;
        var dLogits = gradOutput;
        if (tt != Tt)
        {
            dLogits = Tensor.Zeros(B, tt, V);
            for (int b = 0; b < B; b++) gradOutput.Span.Slice(b * Tt * V, tt * V).CopyTo(dLogits.Span.Slice(b * tt * V, tt * V));
        }
        // logits = W_o h̃ + b_o
        var dHTilde = Output.Backward(dLogits);                                                // (B, tt, H_d)
        var dMemory = Attention is null ? null : Tensor.Zeros(B, p.Ts, o.EncoderWidth);      // ∂L/∂m (B, ts, W_e), summed over the attention calls
        Tensor dY;                                                                             // (B, tt, E)
        RecurrentGradients gd;
        if (o.InputFeeding) (dY, gd) = FeedingBackward(dHTilde, p, dMemory);
        else
        {
            // h̃ = dropout(tanh(W_a [c; h] + b_a)), h = decoder(y, h_0, c_0)
            gd = Decoder.BackwardWithState(AttentionalBackward(dHTilde, p.Attention.Count > 0 ? p.Attention[0] : null, dMemory));
            dY = gd.Input!;
        }
        TargetEmbedding.BackwardToParameters(TargetDropout.Backward(dY));
        // Bridge: (L_d, B, H_d) → (B, L_d·H_d) → ∂/∂ final encoder states (B, W_e)
        var dFinalH = BridgeHidden.Backward(FromLayerMajor(gd.InitialHidden, B));
        var dFinalC = BridgeCell is not null && gd.InitialCell is not null ? BridgeCell.Backward(FromLayerMajor(gd.InitialCell, B)) : null;
        var (dHn, dCn) = (TopStatesGradient(dFinalH, B), dFinalC is null ? null : TopStatesGradient(dFinalC, B));
        // Encoder: m, (h_n, c_n) = encoder(embedding(x))
        var ge = Encoder.BackwardWithState(dMemory ?? Tensor.Zeros(B, p.Ts, o.EncoderWidth), dHn, dCn);
        SourceEmbedding.BackwardToParameters(SourceDropout.Backward(ge.Input!));
        return Tensor.Zeros(B, o.SourceSteps + o.TargetSteps);
    }

    /// <summary>
    /// BPTT through the input-fed steps, last first: ∂L/∂h̃_t is the output's part plus the part fed
    /// back through x_{t+1}; each step's decoder gradient gives ∂L/∂y_t, ∂L/∂h̃_{t−1} and ∂L/∂(h, c)_{t−1}.
    /// Returns ∂L/∂y (B, tt, E) and the gradients of the decoder's initial states (in a <see cref="RecurrentGradients"/>).
    /// </summary>
    private (Tensor DY, RecurrentGradients Initial) FeedingBackward(Tensor dHTilde, Pass p, Tensor? dMemory)
    {
        int B = p.B, T = p.Tt, H = Options.DecoderUnits, E = Options.Embedding;
        var dY = Tensor.Zeros(B, T, E);
        var dFed = Tensor.Zeros(B, 1, H);                                                      // ∂L/∂h̃_t through x_{t+1}
        Tensor? dh = null, dc = null;                                                          // ∂L/∂(h_t, c_t) through step t + 1
        for (int t = T - 1; t >= 0; t--)
        {
            var dStep = StepOf(dHTilde, t);                                                    // (B, 1, H_d)
            for (int i = 0; i < dStep.Length; i++) dStep.Span[i] += dFed.Span[i];
            var dDecoded = AttentionalBackward(dStep, Attention is null ? null : p.Attention[t], dMemory);
            var g = Decoder.BackwardWithState(dDecoded, dh, dc);
            (dh, dc) = (g.InitialHidden, g.InitialCell);
            var (dy, dFedNext) = SplitLast(g.Input!, E);                                       // (B, 1, E), (B, 1, H_d)
            for (int b = 0; b < B; b++) dy.Span.Slice(b * E, E).CopyTo(dY.Span.Slice((b * T + t) * E, E));
            dFed = dFedNext;
        }
        return (dY, new RecurrentGradients(null, dh!, dc));
    }

    /// <summary>Source ids (B, ts) → encoder outputs m (B, ts, W_e) and final states (L·D, B, H_e).</summary>
    /// <remarks><paramref name="keep"/>: keep the calls for the backward pass (else inference only).</remarks>
    internal RecurrentOutput Encode(Tensor source, SequenceMask mask, bool training, bool keep)
    {
        var x = Call(SourceDropout, Call(SourceEmbedding, source, training, keep), training, keep); // (B, ts, E)
        return keep ? Encoder.ForwardWithState(x, mask: mask, training: training) : Encoder.Infer(x, null, null, mask);
    }

    /// <summary>The decoder's initial states from the encoder's final ones: (L·D, B, H_e) → (L_d, B, H_d).</summary>
    internal (Tensor H0, Tensor? C0) BridgeStates(Tensor hN, Tensor? cN, int B, bool keep)
    {
        var h0 = ToLayerMajor(Call(BridgeHidden, TopStates(hN, B), false, keep), B);
        var c0 = BridgeCell is not null && cN is not null ? ToLayerMajor(Call(BridgeCell, TopStates(cN, B), false, keep), B) : null;
        return (h0, c0);
    }

    /// <summary>
    /// The attentional states h̃ = dropout(tanh(W_a [c; h] + b_a)) (B, T, H_d) of decoder states h (B, T, H_d),
    /// with c the attention context over m (the dropout acts in training only).
    /// </summary>
    /// <remarks>With a <paramref name="pass"/> the calls are kept for the backward pass (else inference only).</remarks>
    internal Tensor Attentional(Tensor h, Tensor memory, SequenceMask sourceMask, bool training, Pass? pass)
    {
        bool keep = pass is not null;
        Tensor combinedIn = h;
        if (Attention is not null)
        {
            var a = Attention.Attend(h, memory, sourceMask, returnWeights: false, training: keep);
            pass?.Attention.Add(a.Cache!);
            combinedIn = ConcatLast(a.Context, h);                                                // (B, T, W_e + H_d)
        }
        return Call(OutputDropout, Call(Combine, combinedIn, training, keep), training, keep);      // (B, T, H_d)
    }

    /// <summary>
    /// The gradient of <see cref="Attentional"/>: ∂L/∂h̃ (B, T, H_d) → ∂L/∂h (B, T, H_d) through the
    /// combination and the attention of the call that made <paramref name="cache"/>; adds ∂L/∂m into <paramref name="dMemory"/>.
    /// </summary>
    private Tensor AttentionalBackward(Tensor dHTilde, AttentionCache? cache, Tensor? dMemory)
    {
        var dCombined = Combine.Backward(OutputDropout.Backward(dHTilde));                     // (B, T, W_e + H_d) or (B, T, H_d)
        if (Attention is null) return dCombined;
        var (dContext, dH) = SplitLast(dCombined, Options.EncoderWidth);                       // (B, T, W_e), (B, T, H_d)
        var g = Attention.Backward(cache!, dContext);                                          // ∂/∂h (B, T, H_d), ∂/∂m (B, ts, W_e)
        for (int i = 0; i < dH.Length; i++) dH.Span[i] += g.Query.Span[i];
        for (int i = 0; i < dMemory!.Length; i++) dMemory.Span[i] += g.Memory.Span[i];
        return dH;
    }

    /// <summary>The attention weights (B, T, Ts) of decoder states h over memory m (for plots).</summary>
    internal Tensor? AttentionWeights(Tensor h, Tensor memory, SequenceMask sourceMask)
        => Attention?.Attend(h, memory, sourceMask, returnWeights: true).Weights;

    /// <summary>Columns [start, start + width) of packed ids, cut to the longest real row; the row lengths.</summary>
    private static (Tensor Ids, int[] Lengths, int Steps) Slice(Tensor packed, int start, int width, int stride)
    {
        int B = packed.Size(0);
        var lengths = new int[B];
        int steps = 1;
        for (int b = 0; b < B; b++)
        {
            var row = packed.Span.Slice(b * stride + start, width);
            int n = width;
            while (n > 0 && row[n - 1] == Pad) n--;
            lengths[b] = n;
            steps = Math.Max(steps, n);
        }
        var ids = Tensor.Zeros(B, steps);
        for (int b = 0; b < B; b++) packed.Span.Slice(b * stride + start, steps).CopyTo(ids.Span.Slice(b * steps, steps));
        return (ids, lengths, steps);
    }

    /// <summary>The top encoder layer's final states, directions side by side: (L·D, B, H_e) → (B, D·H_e).</summary>
    private Tensor TopStates(Tensor states, int B)
    {
        int D = Encoder.Directions, H = Options.EncoderUnits, top = (Options.EncoderLayers - 1) * D;
        var result = Tensor.Zeros(B, D * H);
        for (int d = 0; d < D; d++)
            for (int b = 0; b < B; b++)
                states.Span.Slice(((top + d) * B + b) * H, H).CopyTo(result.Span.Slice((b * D + d) * H, H));
        return result;
    }

    /// <summary>The gradient of <see cref="TopStates"/>: (B, D·H_e) → (L·D, B, H_e), zeros below the top layer.</summary>
    private Tensor TopStatesGradient(Tensor grad, int B)
    {
        int D = Encoder.Directions, H = Options.EncoderUnits, top = (Options.EncoderLayers - 1) * D;
        var result = Tensor.Zeros(Options.EncoderLayers * D, B, H);
        for (int d = 0; d < D; d++)
            for (int b = 0; b < B; b++)
                grad.Span.Slice((b * D + d) * H, H).CopyTo(result.Span.Slice(((top + d) * B + b) * H, H));
        return result;
    }

    /// <summary>(B, L_d·H_d) → (L_d, B, H_d).</summary>
    private Tensor ToLayerMajor(Tensor x, int B)
    {
        int L = Options.DecoderLayers, H = Options.DecoderUnits;
        var result = Tensor.Zeros(L, B, H);
        for (int l = 0; l < L; l++)
            for (int b = 0; b < B; b++) x.Span.Slice((b * L + l) * H, H).CopyTo(result.Span.Slice((l * B + b) * H, H));
        return result;
    }

    /// <summary>(L_d, B, H_d) → (B, L_d·H_d), the inverse of <see cref="ToLayerMajor"/>.</summary>
    private Tensor FromLayerMajor(Tensor x, int B)
    {
        int L = Options.DecoderLayers, H = Options.DecoderUnits;
        var result = Tensor.Zeros(B, L * H);
        for (int l = 0; l < L; l++)
            for (int b = 0; b < B; b++) x.Span.Slice((l * B + b) * H, H).CopyTo(result.Span.Slice((b * L + l) * H, H));
        return result;
    }

    /// <summary>Step t of (B, T, F) as (B, 1, F).</summary>
    private static Tensor StepOf(Tensor x, int t)
    {
        int B = x.Size(0), T = x.Size(1), F = x.Size(2);
        var step = Tensor.Zeros(B, 1, F);
        for (int b = 0; b < B; b++) x.Span.Slice((b * T + t) * F, F).CopyTo(step.Span.Slice(b * F, F));
        return step;
    }

    /// <summary>[a; b] along the last axis: (B, T, A) and (B, T, C) → (B, T, A + C).</summary>
    internal static Tensor ConcatLast(Tensor a, Tensor b)
    {
        int rows = a.Length / a.Size(-1), A = a.Size(-1), C = b.Size(-1);
        var shape = a.ShapeArray;
        shape[^1] = A + C;
        var result = Tensor.Zeros(shape);
        for (int r = 0; r < rows; r++)
        {
            a.Span.Slice(r * A, A).CopyTo(result.Span.Slice(r * (A + C), A));
            b.Span.Slice(r * C, C).CopyTo(result.Span.Slice(r * (A + C) + A, C));
        }
        return result;
    }

    /// <summary>The gradient of <see cref="ConcatLast"/>: (B, T, A + C) → (B, T, A), (B, T, C).</summary>
    private static (Tensor A, Tensor C) SplitLast(Tensor x, int width)
    {
        int W = x.Size(-1), rows = x.Length / W, C = W - width;
        var sa = x.ShapeArray;
        sa[^1] = width;
        var sc = x.ShapeArray;
        sc[^1] = C;
        var a = Tensor.Zeros(sa);
        var c = Tensor.Zeros(sc);
        for (int r = 0; r < rows; r++)
        {
            x.Span.Slice(r * W, width).CopyTo(a.Span.Slice(r * width, width));
            x.Span.Slice(r * W + width, C).CopyTo(c.Span.Slice(r * C, C));
        }
        return (a, c);
    }

    /// <summary>One training pass's values kept for backward (beyond what each part caches itself).</summary>
    internal sealed class Pass
    {
        public int B, Ts, Tt;
        public SequenceMask SourceMask = null!;
        public readonly List<AttentionCache> Attention = new(); // one per attention call: once, or once per step with input feeding
    }
}
