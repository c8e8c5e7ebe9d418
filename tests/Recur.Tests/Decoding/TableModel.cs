using Recur.Decoding;

namespace Recur.Tests.Decoding;

/// <summary>
/// A hand-built step model: the log-probabilities of the next token depend on the row's input
/// (which table), the step and the previous token, read from fixed tables, so every sequence's
/// probability is known exactly. The state is (input, step) per row.
/// </summary>
internal sealed class TableModel(float[][,,] tables) : IStepModel<TableModel.State>
{
    public sealed record State(int[] Input, int[] Step);

    // tables[input][step, previous, next] = log p(next | previous, step).
    public int VocabularySize => tables[0].GetLength(2);

    public int Steps => tables[0].GetLength(0);

    public int Rows(State state) => state.Input.Length;

    public State Initial(int inputs) => new(Enumerable.Range(0, inputs).ToArray(), new int[inputs]);

    public State Step(ReadOnlySpan<int> previous, State state, Span<float> logProbabilities)
    {
        int V = VocabularySize;
        for (int r = 0; r < state.Input.Length; r++)
        {
            var table = tables[state.Input[r]];
            int step = Math.Min(state.Step[r], Steps - 1);
            for (int v = 0; v < V; v++) logProbabilities[r * V + v] = table[step, previous[r], v];
        }
        return new State(state.Input, state.Step.Select(s => s + 1).ToArray());
    }

    public State SelectRows(State state, ReadOnlySpan<int> rows)
    {
        var input = new int[rows.Length];
        var step = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++) (input[i], step[i]) = (state.Input[rows[i]], state.Step[rows[i]]);
        return new State(input, step);
    }

    /// <summary>log p(<paramref name="next"/> | <paramref name="previous"/>) at <paramref name="step"/> for <paramref name="input"/>.</summary>
    public float LogProbabilityOfStep(int input, int step, int previous, int next) => tables[input][Math.Min(step, Steps - 1), previous, next];

    /// <summary>log p of <paramref name="tokens"/> followed (when <paramref name="finished"/>) by the end token.</summary>
    public double LogProbability(int input, int[] tokens, int start, int end, bool finished)
    {
        var table = tables[input];
        double sum = 0;
        int previous = start;
        var all = finished ? tokens.Append(end).ToArray() : tokens;
        for (int t = 0; t < all.Length; t++)
        {
            sum += table[Math.Min(t, Steps - 1), previous, all[t]];
            previous = all[t];
        }
        return sum;
    }

    /// <summary>Random normalised tables: each (step, previous) row a softmax of N(0, σ²) logits.</summary>
    public static TableModel Random(int inputs, int steps, int vocab, int seed, float sigma = 2f)
    {
        var r = new SeededRandom(seed);
        var tables = new float[inputs][,,];
        for (int i = 0; i < inputs; i++)
        {
            tables[i] = new float[steps, vocab, vocab];
            var row = new float[vocab];
            for (int s = 0; s < steps; s++)
                for (int p = 0; p < vocab; p++)
                {
                    for (int v = 0; v < vocab; v++) row[v] = r.Normal(0f, sigma);
                    LogSoftmax.Rows(row, row, 1, vocab);
                    for (int v = 0; v < vocab; v++) tables[i][s, p, v] = row[v];
                }
        }
        return new TableModel(tables);
    }
}
