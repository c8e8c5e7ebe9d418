using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Serve.Inference;

// Shapes: N rows (streams) in one call, T steps, L·D state slots of a recurrent layer, H units, V outputs.

/// <summary>
/// The recurrent states of one stream: for each recurrent layer of the model, h and (LSTM) c, each
/// (L·D, 1, H); null until the first step (zeros).
/// </summary>
public sealed class RecurrentStates
{
    internal RecurrentStates(int layers)
    {
        Hidden = new Tensor?[layers];
        Cell = new Tensor?[layers];
    }

    internal Tensor?[] Hidden { get; }

    internal Tensor?[] Cell { get; }

    /// <summary>Steps fed so far.</summary>
    public long Steps { get; internal set; }
}

/// <summary>
/// Runs a model with the recurrent state of each stream held outside the model, so many streams
/// share one model and one batched forward pass: the rows' states are stacked into (L·D, N, H),
/// every layer runs as in <c>Sequential</c>'s forward pass with each recurrent layer started from
/// them, and the final states go back to the rows. A stream fed chunk by chunk gets exactly the
/// outputs of a stateful model fed the same chunks (the same layer code runs on the same numbers).
/// </summary>
/// <remarks>Every recurrent layer must run one direction and return every step (as a language model's do).</remarks>
public sealed class SequenceStepper
{
    private readonly Model _model;
    private readonly int _recurrentCount;

    /// <summary>Checks that <paramref name="model"/> can run step by step.</summary>
    /// <exception cref="NotSupportedException">A layer cannot carry state across calls; the message names it.</exception>
    public SequenceStepper(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsBuilt) throw new ArgumentException($"Model '{model.Name}' is not built.", nameof(model));
        foreach (var layer in model.Layers)
        {
            if (layer is Bidirectional or TimeDistributed { Inner: RecurrentLayer })
                throw new NotSupportedException($"Layer '{layer.Name}' ({layer.GetType().Name}) reads the whole sequence; it cannot run one step at a time.");
            if (layer is RecurrentLayer r)
            {
                if (r.Options.Bidirectional) throw new NotSupportedException($"Layer '{r.Name}' is bidirectional; it cannot run one step at a time.");
                if (!r.Options.ReturnSequences) throw new NotSupportedException($"Layer '{r.Name}' returns only its last step; stepping needs every step.");
                _recurrentCount++;
            }
        }
        if (_recurrentCount == 0) throw new NotSupportedException($"Model '{model.Name}' has no recurrent layer; it keeps no state.");
        _model = model;
    }

    /// <summary>A new stream, starting from zero states.</summary>
    public RecurrentStates NewState() => new(_recurrentCount);

    /// <summary>
    /// Feeds each row's ids (at least one) to its stream and returns the model's output (V) at each
    /// row's last id. Rows of equal length run as one batch (N, T); the states advance.
    /// </summary>
    public float[][] Run(IReadOnlyList<(RecurrentStates State, int[] Ids)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new float[rows.Count][];
        foreach (var group in Enumerable.Range(0, rows.Count).GroupBy(i => rows[i].Ids.Length))
        {
            if (group.Key == 0) throw new ArgumentException("Every row needs at least one id.", nameof(rows));
            var members = group.ToArray();
            var outputs = Forward(members.Select(i => rows[i]).ToList(), group.Key);
            for (int j = 0; j < members.Length; j++) result[members[j]] = outputs[j];
        }
        return result;
    }

    /// <summary>One forward pass of N rows of T ids each → the last step's output of each row.</summary>
    private float[][] Forward(List<(RecurrentStates State, int[] Ids)> rows, int T)
    {
        int N = rows.Count;
        var x = Tensor.Zeros(N, T); // (N, T) ids
        for (int n = 0; n < N; n++)
            for (int t = 0; t < T; t++) x.Span[n * T + t] = rows[n].Ids[t];
        SequenceMask? mask = null;
        int k = 0;
        foreach (var layer in _model.Layers)
        {
            Tensor next;
            if (layer is RecurrentLayer r)
            {
                var h0 = Stack(rows.Select(row => row.State.Hidden[k]).ToList(), r);
                var c0 = Stack(rows.Select(row => row.State.Cell[k]).ToList(), r);
                var output = r.ForwardWithState(x, h0, c0, mask, training: false);
                for (int n = 0; n < N; n++)
                {
                    rows[n].State.Hidden[k] = Row(output.HiddenState, n);
                    rows[n].State.Cell[k] = output.CellState is null ? null : Row(output.CellState, n);
                }
                next = output.Output; // (N, T, H)
                k++;
            }
            else next = layer.Forward(x, mask, training: false);
            mask = layer.ComputeMask(x, mask);
            x = next;
        }
        foreach (var row in rows) row.State.Steps += T;
        int V = x.Size(-1);
        var last = new float[N][];
        for (int n = 0; n < N; n++) last[n] = x.Span.Slice((n * T + T - 1) * V, V).ToArray(); // x (N, T, V)
        return last;
    }

    /// <summary>(L·D, N, H) from the rows' (L·D, 1, H) states; null when every row starts from zeros.</summary>
    private static Tensor? Stack(List<Tensor?> states, RecurrentLayer layer)
    {
        if (states.All(s => s is null)) return null;
        int N = states.Count, H = layer.Units, slots = layer.Options.NumLayers * layer.Directions;
        var stacked = Tensor.Zeros(slots, N, H);
        for (int n = 0; n < N; n++)
        {
            if (states[n] is not { } s) continue;
            for (int j = 0; j < slots; j++) s.Span.Slice(j * H, H).CopyTo(stacked.Span.Slice((j * N + n) * H, H));
        }
        return stacked;
    }

    /// <summary>Row <paramref name="n"/> of (L·D, N, H) as (L·D, 1, H).</summary>
    private static Tensor Row(Tensor states, int n)
    {
        int slots = states.Size(0), N = states.Size(1), H = states.Size(2);
        var row = Tensor.Zeros(slots, 1, H);
        for (int j = 0; j < slots; j++) states.Span.Slice((j * N + n) * H, H).CopyTo(row.Span.Slice(j * H, H));
        return row;
    }
}
