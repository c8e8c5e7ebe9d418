namespace Recur.Decoding;

/// <summary>
/// CTC prefix beam search: keeps the <c>width</c> most likely label prefixes, each with the
/// probability of its alignments ending in a blank (p_b) and in its last label (p_nb), so the
/// alignments of one labelling are summed rather than competing as separate paths.
/// </summary>
/// <remarks>
/// With y_t(c) = softmax(x_t)(c), for every kept prefix ℓ at step t (log space throughout):
/// blank: p_b(ℓ) += (p_b(ℓ) + p_nb(ℓ))·y_t(∅); the last label c = ℓ_end again: p_nb(ℓ) += p_nb(ℓ)·y_t(c)
/// (a repeat that collapses) and p_nb(ℓc) += p_b(ℓ)·y_t(c) (a new label after a blank); any other
/// label c: p_nb(ℓc) += (p_b(ℓ) + p_nb(ℓ))·y_t(c). Then the prefixes are ranked by p_b + p_nb
/// and the best <c>width</c> kept. With a beam that never drops a prefix, each score is the exact
/// log p(ℓ | x). Ties in the ranking go to the shorter, then the lexicographically smaller prefix,
/// so results are deterministic.
/// </remarks>
public static class CtcPrefixBeamSearch
{
    /// <summary>The best <paramref name="width"/> labellings of one item, most likely first.</summary>
    /// <param name="logits">(T, C) scores of one item, row-major (logits or log-probabilities).</param>
    /// <param name="classes">C, including the blank.</param>
    /// <param name="width">Prefixes kept after each step (k ≥ 1).</param>
    /// <param name="blank">The blank class.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of C, the blank is outside [0, C), or the width is below 1.</exception>
    public static IReadOnlyList<CtcHypothesis> Decode(ReadOnlySpan<float> logits, int classes, int width, int blank = 0)
    {
        CtcLogits.Require(logits, classes, blank);
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 1.");
        int T = logits.Length / classes;
        var beams = new Dictionary<string, (double Blank, double NonBlank)> { [""] = (0.0, double.NegativeInfinity) };
        var logProbs = new double[classes];
        for (int t = 0; t < T; t++)
        {
            var row = logits.Slice(t * classes, classes);
            double lse = CtcLogits.LogSumExp(row);
            for (int c = 0; c < classes; c++) logProbs[c] = row[c] - lse;
            var next = new Dictionary<string, (double Blank, double NonBlank)>(beams.Count * classes);
            foreach (var (prefix, (pb, pnb)) in beams)
            {
                double total = CtcLogits.LogAdd(pb, pnb);
                for (int c = 0; c < classes; c++)
                {
                    double p = logProbs[c];
                    if (c == blank)
                    {
                        Add(next, prefix, total + p, blankEnding: true);
                        continue;
                    }
                    string extended = prefix + (char)c;
                    bool repeat = prefix.Length > 0 && prefix[^1] == c;
                    if (repeat)
                    {
                        Add(next, prefix, pnb + p, blankEnding: false); // c c collapses into one c
                        Add(next, extended, pb + p, blankEnding: false); // c ∅ c is two
                    }
                    else Add(next, extended, total + p, blankEnding: false);
                }
            }
            beams = Best(next, width).ToDictionary(kv => kv.Key, kv => kv.Value);
        }
        return Best(beams, width).Select(kv => new CtcHypothesis(kv.Key.Select(ch => (int)ch).ToArray(), CtcLogits.LogAdd(kv.Value.Blank, kv.Value.NonBlank))).ToList();
    }

    /// <summary>Decodes each item b of (B, T, C) logits over its first <paramref name="lengths"/>[b] steps (all T when empty); the best labelling of each.</summary>
    public static CtcHypothesis[] DecodeBest(Tensor logits, int width, ReadOnlySpan<int> lengths = default, int blank = 0)
    {
        var (B, T, C) = CtcLogits.Shape(logits, lengths);
        var result = new CtcHypothesis[B];
        for (int b = 0; b < B; b++)
            result[b] = Decode(logits.Span.Slice(b * T * C, (lengths.IsEmpty ? T : lengths[b]) * C), C, width, blank)[0];
        return result;
    }

    private static void Add(Dictionary<string, (double Blank, double NonBlank)> beams, string prefix, double logP, bool blankEnding)
    {
        if (double.IsNegativeInfinity(logP)) return; // no alignment reaches this prefix this way
        var (pb, pnb) = beams.TryGetValue(prefix, out var v) ? v : (double.NegativeInfinity, double.NegativeInfinity);
        beams[prefix] = blankEnding ? (CtcLogits.LogAdd(pb, logP), pnb) : (pb, CtcLogits.LogAdd(pnb, logP));
    }

    private static IEnumerable<KeyValuePair<string, (double Blank, double NonBlank)>> Best(Dictionary<string, (double Blank, double NonBlank)> beams, int width)
        => beams.OrderByDescending(kv => CtcLogits.LogAdd(kv.Value.Blank, kv.Value.NonBlank))
            .ThenBy(kv => kv.Key.Length).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(width);
}
