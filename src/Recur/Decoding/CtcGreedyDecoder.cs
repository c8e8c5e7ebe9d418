namespace Recur.Decoding;

/// <summary>
/// Best-path CTC decoding: the most likely class at each step, then repeats collapsed and blanks
/// dropped (a b b ∅ b → a b b). Fast, and exact for the best path, not for the best labelling.
/// </summary>
public static class CtcGreedyDecoder
{
    /// <summary>Decodes one item.</summary>
    /// <param name="logits">(T, C) scores of one item, row-major (logits or log-probabilities).</param>
    /// <param name="classes">C, including the blank.</param>
    /// <param name="blank">The blank class.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="classes"/>, or the blank is outside [0, C).</exception>
    public static CtcHypothesis Decode(ReadOnlySpan<float> logits, int classes, int blank = 0)
    {
        CtcLogits.Require(logits, classes, blank);
        int T = logits.Length / classes;
        var labels = new List<int>();
        double logProbability = 0;
        int previous = -1;
        for (int t = 0; t < T; t++)
        {
            var row = logits.Slice(t * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            logProbability += row[best] - CtcLogits.LogSumExp(row);
            if (best != blank && best != previous) labels.Add(best);
            previous = best;
        }
        return new CtcHypothesis(labels.ToArray(), logProbability);
    }

    /// <summary>Decodes each item b of (B, T, C) logits over its first <paramref name="lengths"/>[b] steps (all T when null).</summary>
    /// <exception cref="ArgumentException">The logits are not (B, T, C), or a length is outside [0, T].</exception>
    public static CtcHypothesis[] Decode(Tensor logits, ReadOnlySpan<int> lengths = default, int blank = 0)
    {
        var (B, T, C) = CtcLogits.Shape(logits, lengths);
        var result = new CtcHypothesis[B];
        for (int b = 0; b < B; b++)
            result[b] = Decode(logits.Span.Slice(b * T * C, (lengths.IsEmpty ? T : lengths[b]) * C), C, blank);
        return result;
    }
}
