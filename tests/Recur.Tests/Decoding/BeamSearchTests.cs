using Recur.Decoding;

namespace Recur.Tests.Decoding;

public class BeamSearchTests
{
    private const int Start = 0, End = 1;

    [Theory]
    [InlineData(1, 4, 6)]
    [InlineData(2, 5, 3)]
    [InlineData(3, 8, 12)]
    public void Width_one_equals_greedy_on_random_models(int seed, int vocab, int maxLength)
    {
        // σ small enough that many rows run to the maximum length, large enough that many end early.
        var model = TableModel.Random(inputs: 40, steps: maxLength + 1, vocab, seed, sigma: 1.5f);
        var greedy = GreedyDecoder.Decode(model, model.Initial(40), Start, End, maxLength);
        var beam = BeamSearch.Decode(model, model.Initial(40), Start, End, new BeamSearchOptions { Width = 1, MaxLength = maxLength });
        Assert.Contains(greedy, h => h.Finished);
        Assert.Contains(greedy, h => !h.Finished);
        for (int b = 0; b < 40; b++)
        {
            Assert.Single(beam[b]);
            Assert.Equal(greedy[b].Tokens, beam[b][0].Tokens);
            Assert.Equal(greedy[b].Finished, beam[b][0].Finished);
            Assert.Equal(greedy[b].LogProbability, beam[b][0].LogProbability, 9);
            Assert.Equal(model.LogProbability(b, greedy[b].Tokens, Start, End, greedy[b].Finished), greedy[b].LogProbability, 5);
            Assert.True(greedy[b].Tokens.Length <= maxLength);
        }
    }

    /// <summary>Every sequence of at most <paramref name="maxLength"/> tokens other than the end token, by DFS.</summary>
    private static IEnumerable<int[]> AllSequences(int vocab, int maxLength)
    {
        var stack = new Stack<int[]>();
        stack.Push(Array.Empty<int>());
        while (stack.Count > 0)
        {
            var s = stack.Pop();
            yield return s;
            if (s.Length < maxLength)
                for (int v = 0; v < vocab; v++)
                    if (v != End) stack.Push([.. s, v]);
        }
    }

    [Theory]
    [InlineData(11, 0.0)]
    [InlineData(12, 0.0)]
    [InlineData(13, 1.0)]
    [InlineData(14, 1.0)]
    public void A_beam_wide_enough_finds_the_exhaustive_best(int seed, double alpha)
    {
        // V = 4, at most 3 tokens of the 3 that are not the end token: 40 sequences, at most
        // 27 live prefixes × 4 extensions per step, so 128 beams keep every candidate: the search is exhaustive.
        const int vocab = 4, maxLength = 3, inputs = 6;
        var model = TableModel.Random(inputs, maxLength + 1, vocab, seed);
        var beam = BeamSearch.Decode(model, model.Initial(inputs), Start, End, new BeamSearchOptions { Width = 128, MaxLength = maxLength, LengthPenalty = alpha });
        for (int b = 0; b < inputs; b++)
        {
            var best = AllSequences(vocab, maxLength).MaxBy(s => model.LogProbability(b, s, Start, End, finished: true) / Math.Pow(s.Length + 1, alpha))!;
            Assert.Equal(best, beam[b][0].Tokens);
            Assert.True(beam[b][0].Finished);
            Assert.Equal(model.LogProbability(b, best, Start, End, true), beam[b][0].LogProbability, 5);
            // Finished hypotheses first, best first; no duplicates.
            for (int i = 1; i < beam[b].Length; i++)
                Assert.True(beam[b][i - 1].Finished && !beam[b][i].Finished || (beam[b][i - 1].Finished == beam[b][i].Finished && beam[b][i - 1].Score >= beam[b][i].Score),
                    $"input {b}: hypothesis {i - 1} ({beam[b][i - 1]}) ranked before {i} ({beam[b][i]})");
            Assert.Equal(beam[b].Length, beam[b].Select(h => string.Join(",", h.Tokens) + h.Finished).Distinct().Count());
        }
    }

    /// <summary>
    /// Tokens: 0 start, 1 end, 2 "a", 3 "b". First step: a 0.6, b 0.4. After a: a, b and end 1/3 each;
    /// after b: end 0.9. Greedy takes a then stops at 0.6·⅓ = 0.2; the best sequence is "b" (0.36).
    /// </summary>
    private static TableModel Trap()
    {
        float L(double p) => p == 0 ? -1e9f : (float)Math.Log(p);
        var t = new float[3, 4, 4];
        for (int s = 0; s < 3; s++)
            for (int p = 0; p < 4; p++)
                for (int v = 0; v < 4; v++) t[s, p, v] = L(v == End ? 1 : 0);
        t[0, Start, 2] = L(0.6); t[0, Start, 3] = L(0.4); t[0, Start, End] = L(0);
        for (int s = 1; s < 3; s++)
        {
            t[s, 2, 2] = L(1 / 3.0); t[s, 2, 3] = L(1 / 3.0); t[s, 2, End] = L(1 / 3.0);
            t[s, 3, End] = L(0.9); t[s, 3, 2] = L(0.05); t[s, 3, 3] = L(0.05);
        }
        return new TableModel([t]);
    }

    [Fact]
    public void Beam_search_finds_the_known_best_sequence_that_greedy_misses()
    {
        var model = Trap();
        var greedy = GreedyDecoder.Decode(model, model.Initial(1), Start, End, 2);
        Assert.Equal(new[] { 2 }, greedy[0].Tokens);
        Assert.Equal(Math.Log(0.6 / 3), greedy[0].LogProbability, 5);
        var beam = BeamSearch.Decode(model, model.Initial(1), Start, End, new BeamSearchOptions { Width = 2, MaxLength = 2, LengthPenalty = 0 });
        Assert.Equal(new[] { 3 }, beam[0][0].Tokens);
        Assert.Equal(Math.Log(0.4 * 0.9), beam[0][0].LogProbability, 5);
        Assert.True(beam[0][0].Finished);
    }

    [Fact]
    public void Length_normalisation_ranks_by_mean_log_probability()
    {
        // Same model, α = 1: "b" scores log 0.36 / 2; "a" scores log 0.2 / 2; "a a" ... all lower.
        var model = Trap();
        var beam = BeamSearch.Decode(model, model.Initial(1), Start, End, new BeamSearchOptions { Width = 3, MaxLength = 2, LengthPenalty = 1 });
        foreach (var h in beam[0]) Assert.Equal(h.LogProbability / (h.Tokens.Length + 1), h.Score, 9);
        Assert.Equal(new[] { 3 }, beam[0][0].Tokens);
    }

    [Fact]
    public void Bad_settings_name_the_setting()
    {
        var model = Trap();
        Assert.Throws<ArgumentOutOfRangeException>("Width", () => BeamSearch.Decode(model, model.Initial(1), Start, End, new BeamSearchOptions { Width = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("MaxLength", () => BeamSearch.Decode(model, model.Initial(1), Start, End, new BeamSearchOptions { MaxLength = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("LengthPenalty", () => BeamSearch.Decode(model, model.Initial(1), Start, End, new BeamSearchOptions { LengthPenalty = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("endToken", () => BeamSearch.Decode(model, model.Initial(1), Start, 4, new BeamSearchOptions()));
        Assert.Throws<ArgumentOutOfRangeException>("maxLength", () => GreedyDecoder.Decode(model, model.Initial(1), Start, End, 0));
    }
}
