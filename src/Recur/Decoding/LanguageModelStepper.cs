using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Decoding;

/// <summary>
/// Steps a language model built as a layer stack — an <see cref="Embedding"/>, unidirectional
/// recurrent layers returning sequences, and a <see cref="Dense"/> head over the vocabulary (with
/// <see cref="Dropout"/> anywhere, inactive here) — one token at a time with explicit states, so
/// the decoders can sample from it, decode it greedily or search it with beams.
/// </summary>
/// <remarks>
/// The model's own carried (stateful) states are neither read nor changed. Not safe to use from
/// two threads at once (the layers reuse their work buffers).
/// </remarks>
public sealed class LanguageModelStepper : IStepModel<LanguageModelStepper.State>
{
    private readonly Embedding _embedding;
    private readonly Layer[] _body;
    private readonly Dense _head;

    /// <summary>The recurrent states of every recurrent layer for a batch of rows.</summary>
    /// <remarks>Hidden[i] and Cell[i] (LSTM only) are (L·D, B, H) for the i-th recurrent layer; null means zeros.</remarks>
    public sealed class State
    {
        internal State(int rows, Tensor?[] hidden, Tensor?[] cell)
        {
            Rows = rows;
            Hidden = hidden;
            Cell = cell;
        }

        /// <summary>Number of rows B.</summary>
        public int Rows { get; }

        internal Tensor?[] Hidden { get; }

        internal Tensor?[] Cell { get; }
    }

    /// <summary>Wraps <paramref name="model"/>, which must be built.</summary>
    /// <exception cref="ArgumentException">The layers are not Embedding → recurrent layers (sequences, one direction) → Dense.</exception>
    public LanguageModelStepper(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var layers = model.Layers.Where(l => l is not Dropout).ToArray();
        if (!model.IsBuilt || layers.Length < 3 || layers[0] is not Embedding embedding || layers[^1] is not Dense head
            || !layers[1..^1].All(l => l is RecurrentLayer { Options.ReturnSequences: true, Options.Bidirectional: false }))
            throw new ArgumentException(
                $"model has layers {string.Join(" → ", model.Layers.Select(l => l.GetType().Name))}; expected a built Embedding → unidirectional recurrent layers returning sequences → Dense.",
                nameof(model));
        _embedding = embedding;
        _body = layers[1..^1];
        _head = head;
    }

    /// <inheritdoc/>
    public int VocabularySize => _head.Units;

    /// <summary>The zero state for <paramref name="rows"/> rows (the start of a text).</summary>
    public State Initial(int rows) => new(rows, new Tensor?[_body.Length], new Tensor?[_body.Length]);

    /// <inheritdoc/>
    public int Rows(State state) => state.Rows;

    /// <inheritdoc/>
    public State Step(ReadOnlySpan<int> previous, State state, Span<float> logProbabilities)
    {
        int B = state.Rows, V = VocabularySize;
        if (previous.Length != B) throw new ArgumentException($"previous holds {previous.Length} tokens; the state has {B} rows.", nameof(previous));
        if (logProbabilities.Length != B * V)
            throw new ArgumentException($"logProbabilities holds {logProbabilities.Length} values; expected {B}×{V}.", nameof(logProbabilities));
        var ids = new float[B];
        for (int b = 0; b < B; b++) ids[b] = previous[b];
        var x = _embedding.Infer(new Tensor(ids, B, 1));         // (B, 1, E)
        var hidden = new Tensor?[_body.Length];
        var cell = new Tensor?[_body.Length];
        for (int i = 0; i < _body.Length; i++)
        {
            var recurrent = (RecurrentLayer)_body[i];
            var r = recurrent.Infer(x, state.Hidden[i], state.Cell[i]); // (B, 1, W), states (L, B, H)
            (x, hidden[i], cell[i]) = (r.Output, r.HiddenState, r.CellState);
        }
        var logits = _head.Infer(x);                               // (B, 1, V)
        LogSoftmax.Rows(logits.Span, logProbabilities, B, V);
        return new State(B, hidden, cell);
    }

    /// <inheritdoc/>
    public State SelectRows(State state, ReadOnlySpan<int> rows)
    {
        var hidden = new Tensor?[_body.Length];
        var cell = new Tensor?[_body.Length];
        for (int i = 0; i < _body.Length; i++)
        {
            hidden[i] = state.Hidden[i] is { } h ? RowSelection.Select(h, 1, rows) : null;
            cell[i] = state.Cell[i] is { } c ? RowSelection.Select(c, 1, rows) : null;
        }
        return new State(rows.Length, hidden, cell);
    }

    /// <summary>
    /// One state holding the rows of <paramref name="parts"/> in order — the inverse of
    /// <see cref="SelectRows"/> — so that texts stepped separately (one stream each, as a server
    /// keeps them) advance together in one batched <see cref="Step"/>. A part still at zeros adds zero rows.
    /// </summary>
    public State Concat(IReadOnlyList<State> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("parts is empty; expected at least one state.", nameof(parts));
        int rows = parts.Sum(p => p.Rows);
        var hidden = new Tensor?[_body.Length];
        var cell = new Tensor?[_body.Length];
        for (int i = 0; i < _body.Length; i++)
        {
            hidden[i] = Stack(parts, rows, p => p.Hidden[i]);
            cell[i] = Stack(parts, rows, p => p.Cell[i]);
        }
        return new State(rows, hidden, cell);
    }

    /// <summary>(L·D, ΣB, H) from the parts' (L·D, B_p, H) tensors; null when every part is at zeros.</summary>
    private static Tensor? Stack(IReadOnlyList<State> parts, int rows, Func<State, Tensor?> pick)
    {
        var first = parts.Select(pick).FirstOrDefault(t => t is not null);
        if (first is null) return null;
        int slots = first.Size(0), H = first.Size(2), offset = 0;
        var stacked = Tensor.Zeros(slots, rows, H);
        foreach (var part in parts)
        {
            if (pick(part) is { } t)
                for (int j = 0; j < slots; j++)
                    t.Span.Slice(j * part.Rows * H, part.Rows * H).CopyTo(stacked.Span.Slice((j * rows + offset) * H, part.Rows * H));
            offset += part.Rows;
        }
        return stacked;
    }

    /// <summary>Feeds <paramref name="tokens"/> (one row) and returns the state after the last one.</summary>
    public State Feed(State state, ReadOnlySpan<int> tokens)
    {
        if (state.Rows != 1) throw new ArgumentException($"state has {state.Rows} rows; Feed takes a one-row state.", nameof(state));
        var logp = new float[VocabularySize];
        foreach (int t in tokens) state = Step([t], state, logp);
        return state;
    }
}
