using Recur.Decoding;
using Recur.Layers;

namespace Recur.Models.Seq2Seq;

/// <summary>
/// Decodes an <see cref="EncoderDecoder"/> one token at a time for the decoders of
/// <see cref="Recur.Decoding"/>: <see cref="Encode"/> runs the encoder once per input and bridges
/// its states; each <see cref="Step"/> runs one decoder step, attention and the softmax.
/// </summary>
/// <remarks>
/// The state holds the decoder's h and c (L_d, B, H_d), the encoder outputs (B, Ts, W_e), the
/// source mask and, with input feeding, the previous step's attentional state h̃ (B, 1, H_d);
/// <see cref="SelectRows"/> gathers all of them by row, so beams of one input share
/// its encoding. Not safe to use from two threads at once (the parts reuse their work buffers).
/// </remarks>
public sealed class EncoderDecoderStepper(EncoderDecoder network) : IStepModel<EncoderDecoderStepper.State>
{
    private readonly EncoderDecoder _network = network ?? throw new ArgumentNullException(nameof(network));

    /// <summary>The decoding state of B rows.</summary>
    public sealed class State
    {
        internal State(Tensor hidden, Tensor? cell, Tensor memory, SequenceMask memoryMask, Tensor? fed)
        {
            Hidden = hidden;
            Cell = cell;
            Memory = memory;
            MemoryMask = memoryMask;
            Fed = fed;
        }

        internal Tensor Hidden { get; }            // (L_d, B, H_d)
        internal Tensor? Cell { get; }             // (L_d, B, H_d), LSTM only
        internal Tensor Memory { get; }            // (B, Ts, W_e)
        internal SequenceMask MemoryMask { get; }  // (B, Ts)
        internal Tensor? Fed { get; }              // (B, 1, H_d) h̃ of the previous step (zeros before the first), input feeding only

        /// <summary>Number of rows B.</summary>
        public int Rows => Memory.Size(0);
    }

    /// <inheritdoc/>
    public int VocabularySize => _network.Options.TargetVocabulary;

    /// <inheritdoc/>
    public int Rows(State state) => state.Rows;

    /// <summary>Encodes <paramref name="sources"/> (token ids, each non-empty): the state before the first target token.</summary>
    /// <exception cref="ArgumentException">A source is empty or holds an id outside the source vocabulary.</exception>
    public State Encode(IReadOnlyList<int[]> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (!_network.IsBuilt) throw new InvalidOperationException($"Layer '{_network.Name}' is not built; train or load it first.");
        int B = sources.Count, Ts = Math.Max(1, sources.Count == 0 ? 1 : sources.Max(s => s.Length));
        var ids = Tensor.Zeros(B, Ts);
        var lengths = new int[B];
        for (int b = 0; b < B; b++)
        {
            var s = sources[b];
            if (s.Length == 0) throw new ArgumentException($"sources[{b}] is empty; expected at least one token.", nameof(sources));
            foreach (int id in s)
                if (id < EncoderDecoder.Unknown || id >= _network.Options.SourceVocabulary)
                    throw new ArgumentException($"sources[{b}] holds id {id}; expected ids in [{EncoderDecoder.Unknown}, {_network.Options.SourceVocabulary}).", nameof(sources));
            for (int t = 0; t < s.Length; t++) ids.Span[b * Ts + t] = s[t];
            lengths[b] = s.Length;
        }
        var mask = SequenceMask.FromLengths(lengths, Ts);
        var encoded = _network.Encode(ids, mask, training: false, keep: false);
        var (h0, c0) = _network.BridgeStates(encoded.HiddenState, encoded.CellState, B, keep: false);
        var fed = _network.Options.InputFeeding ? Tensor.Zeros(B, 1, _network.Options.DecoderUnits) : null;
        return new State(h0, c0, encoded.Output, mask, fed);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The softmax runs over the tokens a target can hold: padding, the start token and the unknown
    /// token never occur in one, so their log-probabilities are −∞ (a decoder never picks them).
    /// </remarks>
    public State Step(ReadOnlySpan<int> previous, State state, Span<float> logProbabilities)
    {
        var (next, logits) = Advance(previous, state);
        ExcludeReserved(logits.Span, state.Rows, VocabularySize);
        LogSoftmax.Rows(logits.Span, logProbabilities, state.Rows, VocabularySize);
        return next;
    }

    /// <summary>Sets the logits of padding, start and unknown to −∞ in each of the (B, V) rows.</summary>
    internal static void ExcludeReserved(Span<float> logits, int rows, int vocabulary)
    {
        for (int b = 0; b < rows; b++)
            foreach (int id in (ReadOnlySpan<int>)[EncoderDecoder.Pad, EncoderDecoder.Start, EncoderDecoder.Unknown])
                logits[b * vocabulary + id] = float.NegativeInfinity;
    }

    /// <summary>
    /// The attention weights of one decoder step over the source (B, Ts) for <paramref name="previous"/>
    /// in <paramref name="state"/> (null without attention), for heat maps.
    /// </summary>
    public Tensor? AttentionWeights(ReadOnlySpan<int> previous, State state)
    {
        var h = DecoderStep(previous, state).Output; // (B, 1, H_d)
        return _network.AttentionWeights(h, state.Memory, state.MemoryMask)?.Reshape(state.Rows, state.Memory.Size(1));
    }

    /// <inheritdoc/>
    public State SelectRows(State state, ReadOnlySpan<int> rows)
    {
        var flags = new bool[rows.Length * state.MemoryMask.Steps];
        for (int i = 0; i < rows.Length; i++)
            for (int t = 0; t < state.MemoryMask.Steps; t++) flags[i * state.MemoryMask.Steps + t] = state.MemoryMask[rows[i], t];
        return new State(RowSelection.Select(state.Hidden, 1, rows), state.Cell is null ? null : RowSelection.Select(state.Cell, 1, rows),
            RowSelection.Select(state.Memory, 0, rows), new SequenceMask(flags, rows.Length, state.MemoryMask.Steps),
            state.Fed is null ? null : RowSelection.Select(state.Fed, 0, rows));
    }

    private (State Next, Tensor Logits) Advance(ReadOnlySpan<int> previous, State state)
    {
        var r = DecoderStep(previous, state);
        var hTilde = _network.Attentional(r.Output, state.Memory, state.MemoryMask, training: false, pass: null); // (B, 1, H_d)
        var logits = _network.Output.Infer(hTilde);                                                            // (B, 1, V)
        return (new State(r.HiddenState, r.CellState, state.Memory, state.MemoryMask, state.Fed is null ? null : hTilde), logits);
    }

    private Layers.Recurrent.RecurrentOutput DecoderStep(ReadOnlySpan<int> previous, State state)
    {
        int B = state.Rows;
        if (previous.Length != B) throw new ArgumentException($"previous holds {previous.Length} tokens; the state has {B} rows.", nameof(previous));
        var ids = new float[B];
        for (int b = 0; b < B; b++) ids[b] = previous[b];
        var y = _network.TargetEmbedding.Infer(new Tensor(ids, B, 1));   // (B, 1, E)
        var x = state.Fed is null ? y : EncoderDecoder.ConcatLast(y, state.Fed); // (B, 1, E) or, input-fed, (B, 1, E + H_d)
        return _network.Decoder.Infer(x, state.Hidden, state.Cell);     // (B, 1, H_d), (L_d, B, H_d)
    }
}
