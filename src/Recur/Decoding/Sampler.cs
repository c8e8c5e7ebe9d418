namespace Recur.Decoding;

/// <summary>
/// Ancestral sampling: each row draws its next token from the model's distribution, sharpened or
/// flattened by a temperature and optionally cut to the k most probable tokens, and feeds it back.
/// </summary>
public static class Sampler
{
    /// <summary>
    /// Draws <paramref name="length"/> tokens for every row of <paramref name="initial"/> after
    /// <paramref name="previous"/> (B, each row's last given token). No end token: a language model
    /// writes on for the whole length.
    /// </summary>
    /// <returns>(B) rows of <paramref name="length"/> token ids and the state after the last one was fed.</returns>
    public static (int[][] Tokens, TState State) Sample<TState>(IStepModel<TState> model, TState initial, ReadOnlySpan<int> previous,
        int length, SamplingOptions options, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "length must be 0 or more.");
        int B = model.Rows(initial), V = model.VocabularySize;
        if (previous.Length != B)
            throw new ArgumentException($"previous holds {previous.Length} tokens; expected {B}, one per row of the state.", nameof(previous));
        var tokens = new int[B][];
        for (int b = 0; b < B; b++) tokens[b] = new int[length];
        var current = previous.ToArray();
        var logp = new float[B * V];
        var weights = new double[V];
        var state = initial;
        for (int n = 0; n < length; n++)
        {
            state = model.Step(current, state, logp);
            for (int b = 0; b < B; b++)
            {
                current[b] = Draw(logp.AsSpan(b * V, V), options, random, weights);
                tokens[b][n] = current[b];
            }
        }
        return (tokens, state);
    }

    /// <summary>
    /// One token from softmax(<paramref name="logProbabilities"/> / T) restricted to the top k:
    /// u ~ U[0, 1) picks the first token whose cumulative probability exceeds u.
    /// </summary>
    public static int Draw(ReadOnlySpan<float> logProbabilities, SamplingOptions options, SeededRandom random, Span<double> weights)
    {
        int V = logProbabilities.Length;
        if (weights.Length < V) throw new ArgumentException($"weights holds {weights.Length} values; expected at least {V}.", nameof(weights));
        double threshold = double.NegativeInfinity;
        if (options.TopK is { } k && k < V)
        {
            // The k-th largest value; tokens below it are excluded, and of those equal to it
            // only as many (lowest ids first) as fit into k.
            var sorted = logProbabilities.ToArray();
            Array.Sort(sorted, (x, y) => y.CompareTo(x));
            threshold = sorted[k - 1];
        }
        int equalAllowed = options.TopK is { } kk && kk < V ? CountAbove(logProbabilities, threshold, kk) : int.MaxValue;
        double max = double.NegativeInfinity;
        foreach (var v in logProbabilities) max = Math.Max(max, v);
        double sum = 0;
        for (int j = 0; j < V; j++)
        {
            double w = 0;
            float lp = logProbabilities[j];
            if (lp > threshold || (lp == threshold && equalAllowed-- > 0)) w = Math.Exp((lp - max) / options.Temperature);
            weights[j] = w;
            sum += w;
        }
        double u = random.NextDouble() * sum, cumulative = 0;
        int last = 0;
        for (int j = 0; j < V; j++)
        {
            if (weights[j] == 0) continue;
            last = j;
            cumulative += weights[j];
            if (u < cumulative) return j;
        }
        return last;
    }

    /// <summary>How many tokens equal to the threshold fit into the top k after those above it.</summary>
    private static int CountAbove(ReadOnlySpan<float> values, double threshold, int k)
    {
        int above = 0;
        foreach (var v in values) if (v > threshold) above++;
        return k - above;
    }
}
