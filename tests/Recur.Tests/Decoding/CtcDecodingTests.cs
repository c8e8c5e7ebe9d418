using Recur.Decoding;
using Recur.Losses;
using Recur.Tests.Testing;

namespace Recur.Tests.Decoding;

public class CtcDecodingTests
{
    /// <summary>(T, C) log-probabilities from a path: probability 0.9 on each step's class, the rest spread evenly.</summary>
    private static float[] Posteriors(int classes, params int[] path)
    {
        var x = new float[path.Length * classes];
        for (int t = 0; t < path.Length; t++)
            for (int c = 0; c < classes; c++)
                x[t * classes + c] = MathF.Log(c == path[t] ? 0.9f : 0.1f / (classes - 1));
        return x;
    }

    [Theory]
    [InlineData(new[] { 1, 1, 0, 1, 2, 2, 0 }, new[] { 1, 1, 2 })]       // a blank separates a real repeat
    [InlineData(new[] { 0, 0, 0 }, new int[0])]                           // all blank
    [InlineData(new[] { 3, 3, 3, 3 }, new[] { 3 })]                       // one long run
    [InlineData(new[] { 1, 2, 1, 2 }, new[] { 1, 2, 1, 2 })]              // no blanks needed between different labels
    [InlineData(new[] { 0, 2, 0, 0, 2, 0, 3 }, new[] { 2, 2, 3 })]
    public void Greedy_collapses_repeats_and_drops_blanks(int[] path, int[] expected)
    {
        var h = CtcGreedyDecoder.Decode(Posteriors(4, path), 4);
        Assert.Equal(expected, h.Labels);
        Assert.Equal(path.Length * Math.Log(0.9), h.LogProbability, 5);
    }

    [Fact]
    public void Greedy_with_another_blank_and_per_item_lengths()
    {
        // Blank = 2; item 1 is read for 2 of its 4 steps.
        var a = Posteriors(3, 0, 2, 0, 1);
        var b = Posteriors(3, 1, 1, 0, 0);
        var logits = Tensor.FromArray(a.Concat(b).ToArray(), 2, 4, 3);
        var hs = CtcGreedyDecoder.Decode(logits, new[] { 4, 2 }, blank: 2);
        Assert.Equal(new[] { 0, 0, 1 }, hs[0].Labels);
        Assert.Equal(new[] { 1 }, hs[1].Labels);
        Assert.Throws<ArgumentException>(() => CtcGreedyDecoder.Decode(logits, new[] { 5, 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => CtcGreedyDecoder.Decode(a, 3, blank: 3));
    }

    /// <summary>Every labelling's exact log-probability, by enumerating all C^T paths.</summary>
    private static Dictionary<string, double> BruteForce(float[] logits, int classes, int blank)
    {
        int T = logits.Length / classes;
        var probs = new double[logits.Length];
        for (int t = 0; t < T; t++)
        {
            double z = Enumerable.Range(0, classes).Sum(c => Math.Exp(logits[t * classes + c]));
            for (int c = 0; c < classes; c++) probs[t * classes + c] = Math.Exp(logits[t * classes + c]) / z;
        }
        var totals = new Dictionary<string, double>();
        for (int code = 0; code < (int)Math.Pow(classes, T); code++)
        {
            var labels = new List<int>();
            double p = 1;
            int rest = code, previous = -1;
            for (int t = 0; t < T; t++)
            {
                int c = rest % classes;
                rest /= classes;
                p *= probs[t * classes + c];
                if (c != blank && c != previous) labels.Add(c);
                previous = c;
            }
            string key = string.Join(",", labels);
            totals[key] = totals.GetValueOrDefault(key) + p;
        }
        return totals.ToDictionary(kv => kv.Key, kv => Math.Log(kv.Value));
    }

    [Theory]
    [InlineData(4, 3, 0, 1)]
    [InlineData(5, 3, 0, 2)]
    [InlineData(4, 4, 2, 3)]
    [InlineData(6, 3, 1, 4)]
    public void Prefix_beam_search_equals_brute_force_on_tiny_cases(int T, int C, int blank, int seed)
    {
        var logits = GradientCheck.RandomTensor(new SeededRandom(seed), 2f, T, C).Span.ToArray();
        var exact = BruteForce(logits, C, blank);
        // A beam wider than the number of prefixes keeps everything: every score is exact.
        var all = CtcPrefixBeamSearch.Decode(logits, C, width: 100_000, blank);
        Assert.Equal(exact.Count, all.Count);
        foreach (var h in all) Assert.Equal(exact[string.Join(",", h.Labels)], h.LogProbability, 9);
        var best = exact.OrderByDescending(kv => kv.Value).First();
        Assert.Equal(best.Key, string.Join(",", all[0].Labels));
        // The CTC loss of the best labelling is minus its score.
        var labels = all[0].Labels;
        var targets = Tensor.Full(-1f, 1, Math.Max(1, labels.Length));
        for (int s = 0; s < labels.Length; s++) targets.Span[s] = labels[s];
        double nll = new Ctc(blank, CtcReduction.Sum).Compute(Tensor.FromArray(logits, 1, T, C), targets, new[] { T }, new[] { labels.Length }).Value;
        Assert.Equal(-all[0].LogProbability, nll, 6);

        // A narrow beam returns at most k hypotheses, sorted, each scored no higher than exactly.
        var narrow = CtcPrefixBeamSearch.Decode(logits, C, width: 3, blank);
        Assert.InRange(narrow.Count, 1, 3);
        for (int i = 0; i < narrow.Count; i++)
        {
            Assert.True(narrow[i].LogProbability <= exact[string.Join(",", narrow[i].Labels)] + 1e-9);
            if (i > 0) Assert.True(narrow[i].LogProbability <= narrow[i - 1].LogProbability);
        }
    }

    [Fact]
    public void Prefix_beam_search_finds_a_labelling_greedy_misses()
    {
        // Two steps, classes {blank, a}: the best path is ∅∅ (0.36) but "a" has 0.64 in total
        // (a∅, ∅a, aa each 0.16 + 0.24 + 0.24).
        var logits = new[] { MathF.Log(0.6f), MathF.Log(0.4f), MathF.Log(0.6f), MathF.Log(0.4f) };
        Assert.Empty(CtcGreedyDecoder.Decode(logits, 2).Labels);
        var best = CtcPrefixBeamSearch.Decode(logits, 2, width: 2)[0];
        Assert.Equal(new[] { 1 }, best.Labels);
        Assert.Equal(Math.Log(0.64), best.LogProbability, 6);
    }

    [Fact]
    public void Error_rates_of_transcripts()
    {
        var refs = new[] { "3 1 4", "1 5" };
        var hyps = new[] { "3 4", "1 5" };
        Assert.Equal(1.0 / 5.0, CtcErrorRates.WordErrorRate(refs, hyps), 12);
        Assert.Equal(2.0 / 8.0, CtcErrorRates.CharacterErrorRate(refs, hyps), 12);
        Assert.Equal(0.5, CtcErrorRates.SentenceAccuracy(refs, hyps), 12);
        Assert.Throws<ArgumentException>(() => CtcErrorRates.WordErrorRate(refs, new[] { "1" }));
    }
}
