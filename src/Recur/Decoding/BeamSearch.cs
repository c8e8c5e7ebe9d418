namespace Recur.Decoding;

/// <summary>
/// Beam search: keeps the k most probable partial outputs per input, all inputs' beams batched
/// through one state whose rows are repeated and reordered with <see cref="IStepModel{TState}.SelectRows"/>.
/// </summary>
/// <remarks>
/// <para>Each step extends every live beam by every token and keeps, per input, the 2k best
/// extensions by log-probability: an end token among the first k finishes a hypothesis, the
/// others fill the k live beams. An input is done when it has k finished hypotheses, when (without
/// length normalisation) its best extension is the end token, so no live beam can reach a higher
/// log-probability, or after <see cref="BeamSearchOptions.MaxLength"/> tokens; done inputs leave the batch. With
/// k = 1 this is exactly <see cref="GreedyDecoder"/>.</para>
/// <para>The result ranks the finished hypotheses by log p / n^α (n tokens with the end token,
/// α = <see cref="BeamSearchOptions.LengthPenalty"/>), then, only if fewer than k finished, the
/// live beams cut at the maximum length.</para>
/// </remarks>
public static class BeamSearch
{
    /// <summary>Decodes every row of <paramref name="initial"/> (B inputs, one row each).</summary>
    /// <returns>Per input, up to k hypotheses, best first.</returns>
    public static Hypothesis[][] Decode<TState>(IStepModel<TState> model, TState initial, int startToken, int endToken, BeamSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DecodingChecks.Tokens(model.VocabularySize, startToken, endToken);
        int inputs = model.Rows(initial), V = model.VocabularySize, k = options.Width;
        var finished = new List<Hypothesis>[inputs];
        var result = new Hypothesis[inputs][];
        for (int b = 0; b < inputs; b++) finished[b] = new List<Hypothesis>();

        // Live beams, one state row each, grouped by input: beams of input rowInput[r].
        var rowInput = Enumerable.Range(0, inputs).ToArray();
        var rowTokens = Enumerable.Repeat(Array.Empty<int>(), inputs).ToArray();
        var rowLogp = new double[inputs];
        var previous = Enumerable.Repeat(startToken, inputs).ToArray();
        var state = initial;
        var top = new TopCandidates(2 * k);
        for (int t = 0; rowInput.Length > 0; t++)
        {
            int R = rowInput.Length;
            var logp = new float[R * V]; // (R, V)
            state = model.Step(previous, state, logp);
            var parents = new List<int>(R);
            var nextInput = new List<int>(R);
            var nextTokens = new List<int[]>(R);
            var nextLogp = new List<double>(R);
            for (int start = 0; start < R;)
            {
                int b = rowInput[start], end = start;
                while (end < R && rowInput[end] == b) end++;
                // Candidates of input b: flat index (r − start)·V + v, score log p(beam r) + log p(v | beam r).
                top.Clear();
                for (int r = start; r < end; r++)
                    for (int v = 0; v < V; v++)
                        top.Offer((r - start) * V + v, rowLogp[r] + logp[r * V + v]);
                bool done = t == options.MaxLength;
                int live = 0;
                for (int rank = 0; rank < top.Count; rank++)
                {
                    int r = start + top.Index(rank) / V, v = top.Index(rank) % V;
                    double score = top.Score(rank);
                    if (v == endToken)
                    {
                        if (rank >= k) continue;
                        finished[b].Add(new Hypothesis(rowTokens[r], score, Normalise(score, rowTokens[r].Length + 1, options.LengthPenalty), true));
                        if (rank == 0 && options.LengthPenalty == 0) done = true; // nothing live can reach a higher log p
                    }
                    else if (!done && live < k)
                    {
                        parents.Add(r);
                        nextInput.Add(b);
                        nextTokens.Add([.. rowTokens[r], v]);
                        nextLogp.Add(score);
                        live++;
                    }
                }
                if (finished[b].Count >= k || live == 0) done = true;
                if (done)
                {
                    // Undo the beams just added for b; with fewer than k finished, the beams of
                    // this step's input (cut at the maximum length) fill the list.
                    int added = live;
                    parents.RemoveRange(parents.Count - added, added);
                    nextInput.RemoveRange(nextInput.Count - added, added);
                    nextTokens.RemoveRange(nextTokens.Count - added, added);
                    nextLogp.RemoveRange(nextLogp.Count - added, added);
                    var ranked = finished[b].OrderByDescending(h => h.Score).Take(k).ToList();
                    if (ranked.Count < k)
                        ranked.AddRange(Enumerable.Range(start, end - start)
                            .Select(r => new Hypothesis(rowTokens[r], rowLogp[r], Normalise(rowLogp[r], rowTokens[r].Length + 1, options.LengthPenalty), false))
                            .OrderByDescending(h => h.Score).Take(k - ranked.Count));
                    result[b] = ranked.ToArray();
                }
                start = end;
            }
            if (parents.Count == 0) break;
            state = model.SelectRows(state, parents.ToArray());
            rowInput = nextInput.ToArray();
            rowTokens = nextTokens.ToArray();
            rowLogp = nextLogp.ToArray();
            previous = rowTokens.Select(x => x[^1]).ToArray();
        }
        return result;
    }

    private static double Normalise(double logp, int length, double alpha) => alpha == 0 ? logp : logp / Math.Pow(length, alpha);
}
