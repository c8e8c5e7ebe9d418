namespace Recur.Decoding;

/// <summary>
/// The log-probability a step model gives to given outputs: each row is fed its own tokens
/// (teacher forcing) and the log-probabilities of those tokens and of the end token are summed.
/// This is how an n-best list from one decoder is rescored by another model (a right-to-left
/// network rescoring a left-to-right one's outputs, say).
/// </summary>
public static class SequenceScorer
{
    /// <summary>
    /// log p(<c>sequences[r]</c>, end | row r of <paramref name="initial"/>) for every row r.
    /// </summary>
    /// <param name="model">The step model.</param>
    /// <param name="initial">The state before the first token, one row per sequence (repeat an input's
    /// row for each of its candidates with <see cref="IStepModel{TState}.SelectRows"/>).</param>
    /// <param name="sequences">R token sequences, without the start and the end token.</param>
    /// <param name="startToken">The token fed at the first step.</param>
    /// <param name="endToken">The token that ends every sequence; its log-probability is counted.</param>
    /// <returns>R log-probabilities, each Σ over the sequence's tokens and the end token, summed in double.</returns>
    /// <exception cref="ArgumentException">The state's rows do not match the sequences, or a token is outside the vocabulary; the message names it.</exception>
    public static double[] LogProbabilities<TState>(IStepModel<TState> model, TState initial, IReadOnlyList<int[]> sequences, int startToken, int endToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sequences);
        int V = model.VocabularySize, R = sequences.Count;
        DecodingChecks.Tokens(V, startToken, endToken);
        if (model.Rows(initial) != R)
            throw new ArgumentException($"The state has {model.Rows(initial)} rows; expected one per sequence, {R}.", nameof(initial));
        for (int r = 0; r < R; r++)
            foreach (int token in sequences[r])
                if ((uint)token >= (uint)V)
                    throw new ArgumentException($"Sequence {r} holds token {token}; expected ids in [0, {V}).", nameof(sequences));

        var result = new double[R];
        // active[i] = the sequence that batch row i scores; a row leaves once its end token is counted.
        var active = Enumerable.Range(0, R).ToArray();
        var previous = Enumerable.Repeat(startToken, R).ToArray();
        var state = initial;
        for (int t = 0; active.Length > 0; t++)
        {
            var logp = new float[active.Length * V]; // (B_active, V)
            state = model.Step(previous, state, logp);
            var keep = new List<int>(active.Length);
            for (int i = 0; i < active.Length; i++)
            {
                var sequence = sequences[active[i]];
                int token = t < sequence.Length ? sequence[t] : endToken;
                result[active[i]] += logp[i * V + token];
                if (t < sequence.Length) keep.Add(i);
            }
            if (keep.Count == 0) break;
            if (keep.Count < active.Length)
            {
                state = model.SelectRows(state, keep.ToArray());
                active = keep.Select(i => active[i]).ToArray();
            }
            previous = active.Select(r => sequences[r][t]).ToArray();
        }
        return result;
    }
}
