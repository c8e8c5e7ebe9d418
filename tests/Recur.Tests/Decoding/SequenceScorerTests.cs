using Recur.Decoding;

namespace Recur.Tests.Decoding;

public class SequenceScorerTests
{
    private const int Start = 0, End = 1;

    [Fact]
    public void Each_row_gets_the_log_probability_of_its_own_tokens_and_the_end_token()
    {
        // Three inputs, each scored on candidates of different lengths (the empty one too); an
        // input's row repeated for each of its candidates, as a rescorer does.
        var model = TableModel.Random(inputs: 3, steps: 6, vocab: 6, seed: 7);
        int[] inputOf = [0, 0, 1, 2, 2, 2, 1];
        int[][] sequences = [[2, 3], [], [5, 5, 4, 2, 3, 2, 4], [4], [3, 2, 5], [2, 3], [2]];
        var state = model.SelectRows(model.Initial(3), inputOf);

        var scores = SequenceScorer.LogProbabilities(model, state, sequences, Start, End);

        Assert.Equal(sequences.Length, scores.Length);
        for (int r = 0; r < sequences.Length; r++)
            Assert.Equal(model.LogProbability(inputOf[r], sequences[r], Start, End, finished: true), scores[r]);
        // Two inputs score the same tokens differently: each row reads its own input.
        Assert.NotEqual(scores[0], scores[5]);
    }

    [Fact]
    public void Beam_search_hypotheses_score_what_the_search_summed()
    {
        var model = TableModel.Random(inputs: 8, steps: 7, vocab: 5, seed: 11, sigma: 1.5f);
        var beams = BeamSearch.Decode(model, model.Initial(8), Start, End, new BeamSearchOptions { Width = 4, MaxLength = 6 });
        var finished = beams.SelectMany((list, b) => list.Where(h => h.Finished).Select(h => (Input: b, h))).ToList();
        Assert.True(finished.Count > 8, $"only {finished.Count} finished hypotheses");

        var state = model.SelectRows(model.Initial(8), finished.Select(f => f.Input).ToArray());
        var scores = SequenceScorer.LogProbabilities(model, state, finished.Select(f => f.h.Tokens).ToList(), Start, End);

        for (int i = 0; i < finished.Count; i++) Assert.Equal(finished[i].h.LogProbability, scores[i], 5);
    }

    [Fact]
    public void Scoring_is_the_same_for_every_order_of_the_rows()
    {
        var model = TableModel.Random(inputs: 2, steps: 5, vocab: 4, seed: 3);
        int[][] sequences = [[2, 3, 2], [3], [], [2, 2, 2, 2]];
        int[] inputOf = [0, 1, 1, 0];
        var forward = SequenceScorer.LogProbabilities(model, model.SelectRows(model.Initial(2), inputOf), sequences, Start, End);
        var backward = SequenceScorer.LogProbabilities(model, model.SelectRows(model.Initial(2), Enumerable.Reverse(inputOf).ToArray()), Enumerable.Reverse(sequences).ToList(), Start, End);
        Assert.Equal(forward, Enumerable.Reverse(backward));
    }

    [Fact]
    public void A_state_for_other_rows_or_a_token_outside_the_vocabulary_is_refused_by_name()
    {
        var model = TableModel.Random(inputs: 2, steps: 3, vocab: 4, seed: 1);
        var rows = Assert.Throws<ArgumentException>(() => SequenceScorer.LogProbabilities(model, model.Initial(2), [[2]], Start, End));
        Assert.Equal("initial", rows.ParamName);
        Assert.Contains("2 rows", rows.Message);
        var token = Assert.Throws<ArgumentException>(() => SequenceScorer.LogProbabilities(model, model.Initial(2), [[2], [3, 4]], Start, End));
        Assert.Equal("sequences", token.ParamName);
        Assert.Contains("token 4", token.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceScorer.LogProbabilities(model, model.Initial(1), [[2]], Start, 9));
    }
}
