namespace Recur.Decoding;

/// <summary>
/// Greedy decoding: at every step each row takes its most probable token (the lowest id on a
/// tie) until it produces the end token or reaches the maximum length.
/// </summary>
public static class GreedyDecoder
{
    /// <summary>Decodes every row of <paramref name="initial"/> (B rows).</summary>
    /// <param name="model">The step model.</param>
    /// <param name="initial">The state before the first token (for an encoder–decoder: the encoded sources).</param>
    /// <param name="startToken">The token fed at the first step.</param>
    /// <param name="endToken">The token that ends a sequence (not included in the result).</param>
    /// <param name="maxLength">The most tokens a row produces, the end token not counted.</param>
    /// <returns>One hypothesis per row, in row order.</returns>
    public static Hypothesis[] Decode<TState>(IStepModel<TState> model, TState initial, int startToken, int endToken, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        DecodingChecks.Tokens(model.VocabularySize, startToken, endToken);
        DecodingChecks.MaxLength(maxLength);
        int rows = model.Rows(initial), V = model.VocabularySize;
        var tokens = new List<int>[rows];
        var logProbability = new double[rows];
        var finished = new bool[rows];
        for (int b = 0; b < rows; b++) tokens[b] = new List<int>();

        // active[i] = the input row that batch row i decodes; finished rows leave the batch.
        var active = Enumerable.Range(0, rows).ToArray();
        var previous = Enumerable.Repeat(startToken, rows).ToArray();
        var state = initial;
        for (int t = 0; t <= maxLength && active.Length > 0; t++)
        {
            var logp = new float[active.Length * V]; // (B_active, V)
            state = model.Step(previous, state, logp);
            var keep = new List<int>(active.Length);
            for (int i = 0; i < active.Length; i++)
            {
                int b = active[i];
                var row = logp.AsSpan(i * V, V);
                int best = ArgMax(row);
                if (best == endToken)
                {
                    logProbability[b] += row[best];
                    finished[b] = true;
                }
                else if (t < maxLength) // after maxLength tokens only the end token is taken; otherwise the row is cut
                {
                    logProbability[b] += row[best];
                    tokens[b].Add(best);
                    keep.Add(i);
                }
            }
            if (t == maxLength) break;
            if (keep.Count < active.Length)
            {
                state = model.SelectRows(state, keep.ToArray());
                active = keep.Select(i => active[i]).ToArray();
            }
            previous = active.Select(b => tokens[b][^1]).ToArray();
        }
        var result = new Hypothesis[rows];
        for (int b = 0; b < rows; b++) result[b] = new Hypothesis(tokens[b].ToArray(), logProbability[b], logProbability[b], finished[b]);
        return result;
    }

    /// <summary>The index of the largest value; the first one on a tie.</summary>
    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++)
            if (row[j] > row[best]) best = j;
        return best;
    }
}
