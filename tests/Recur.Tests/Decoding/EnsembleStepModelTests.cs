using Recur.Decoding;

namespace Recur.Tests.Decoding;

public class EnsembleStepModelTests
{
    private const int Start = 0, End = 1;

    /// <summary>log of the mean of the members' probabilities of one next token, in double.</summary>
    private static double MixtureLogProbability(TableModel[] members, int input, int step, int previous, int next, Func<int, int, int>? tableOf = null)
    {
        double p = 0;
        for (int m = 0; m < members.Length; m++) p += Math.Exp(members[m].LogProbabilityOfStep(tableOf?.Invoke(m, input) ?? input, step, previous, next));
        return Math.Log(p / members.Length);
    }

    [Fact]
    public void A_step_gives_the_log_of_the_mean_probability_of_the_members()
    {
        var members = new[] { TableModel.Random(3, 4, 5, seed: 1), TableModel.Random(3, 4, 5, seed: 2), TableModel.Random(3, 4, 5, seed: 3) };
        var ensemble = new EnsembleStepModel<TableModel.State>(members);
        var state = members.Select(m => m.Initial(3)).ToArray();
        int[] previous = [Start, Start, Start];
        var logp = new float[3 * 5];
        for (int step = 0; step < 4; step++)
        {
            state = ensemble.Step(previous, state, logp);
            for (int r = 0; r < 3; r++)
            {
                double total = 0;
                for (int v = 0; v < 5; v++)
                {
                    Assert.Equal(MixtureLogProbability(members, r, step, previous[r], v), logp[r * 5 + v], 5);
                    total += Math.Exp(logp[r * 5 + v]);
                }
                Assert.Equal(1.0, total, 5);
            }
            previous = [2 + step % 3, 4 - step % 2, 3];
            Assert.All(state, s => Assert.Equal(step + 1, s.Step[0]));
        }
        Assert.Equal(3, ensemble.Count);
        Assert.Equal(5, ensemble.VocabularySize);
        Assert.Equal(3, ensemble.Rows(state));
    }

    [Fact]
    public void One_member_decodes_exactly_as_the_member_alone()
    {
        var model = TableModel.Random(inputs: 20, steps: 7, vocab: 5, seed: 4, sigma: 1.5f);
        var ensemble = new EnsembleStepModel<TableModel.State>([model]);
        var alone = BeamSearch.Decode(model, model.Initial(20), Start, End, new BeamSearchOptions { Width = 3, MaxLength = 6 });
        var wrapped = BeamSearch.Decode(ensemble, [model.Initial(20)], Start, End, new BeamSearchOptions { Width = 3, MaxLength = 6 });
        for (int b = 0; b < 20; b++) Assert.Equal(alone[b], wrapped[b], (x, y) => x.Tokens.SequenceEqual(y.Tokens) && x.LogProbability == y.LogProbability && x.Finished == y.Finished);
    }

    [Theory]
    [InlineData(21, 0.0)]
    [InlineData(22, 1.0)]
    public void A_beam_wide_enough_finds_the_best_sequence_of_the_mixture(int seed, double alpha)
    {
        // As the exhaustive test of BeamSearch: V = 4 and at most 3 tokens, so 128 beams keep every
        // candidate. The second member reads input b from its table inputs − 1 − b, so the members'
        // states differ and SelectRows must carry each member's own rows for the scores to be right.
        const int vocab = 4, maxLength = 3, inputs = 5;
        var members = new[] { TableModel.Random(inputs, maxLength + 1, vocab, seed), TableModel.Random(inputs, maxLength + 1, vocab, seed + 100) };
        int TableOf(int member, int input) => member == 0 ? input : inputs - 1 - input;
        var ensemble = new EnsembleStepModel<TableModel.State>(members);
        TableModel.State[] initial = [members[0].Initial(inputs), new(Enumerable.Range(0, inputs).Select(b => TableOf(1, b)).ToArray(), new int[inputs])];
        var beam = BeamSearch.Decode(ensemble, initial, Start, End, new BeamSearchOptions { Width = 128, MaxLength = maxLength, LengthPenalty = alpha });
        double Mixture(int b, int[] s)
        {
            double sum = 0;
            int previous = Start;
            var all = s.Append(End).ToArray();
            for (int t = 0; t < all.Length; t++)
            {
                sum += MixtureLogProbability(members, b, t, previous, all[t], TableOf);
                previous = all[t];
            }
            return sum;
        }
        var sequences = Sequences(vocab, maxLength).ToList();
        bool differs = false;
        for (int b = 0; b < inputs; b++)
        {
            var best = sequences.MaxBy(s => Mixture(b, s) / Math.Pow(s.Length + 1, alpha))!;
            Assert.Equal(best, beam[b][0].Tokens);
            Assert.Equal(Mixture(b, best), beam[b][0].LogProbability, 5);
            // The mixture's best is not always a member's best: the test would pass on one member otherwise.
            differs |= Enumerable.Range(0, 2).Any(m => !sequences.MaxBy(s => members[m].LogProbability(TableOf(m, b), s, Start, End, true) / Math.Pow(s.Length + 1, alpha))!.SequenceEqual(best));
        }
        Assert.True(differs, "every input's best sequence is also each member's best; choose other seeds");
    }

    private static IEnumerable<int[]> Sequences(int vocab, int maxLength)
    {
        IEnumerable<int[]> level = [[]];
        for (int n = 0; n <= maxLength; n++)
        {
            foreach (var s in level) yield return s;
            level = level.SelectMany(s => Enumerable.Range(0, vocab).Where(v => v != End).Select(v => (int[])[.. s, v])).ToList();
        }
    }

    /// <summary>A member whose every step waits at a barrier: two decoders are made to step it at the same time.</summary>
    private sealed class AtBarrier(TableModel model, Barrier barrier) : IStepModel<TableModel.State>
    {
        public int VocabularySize => model.VocabularySize;

        public int Rows(TableModel.State state) => model.Rows(state);

        public TableModel.State Step(ReadOnlySpan<int> previous, TableModel.State state, Span<float> logProbabilities)
        {
            barrier.SignalAndWait(TimeSpan.FromSeconds(30));
            return model.Step(previous, state, logProbabilities);
        }

        public TableModel.State SelectRows(TableModel.State state, ReadOnlySpan<int> rows) => model.SelectRows(state, rows);
    }

    [Fact]
    public void Steps_on_two_threads_at_once_answer_as_alone()
    {
        // A server steps one model for two batches at once. The second member waits until both
        // threads have stepped the first, so an ensemble that kept the members' values between
        // calls would hand one thread the other's; each must get the answer it gets alone.
        var a = TableModel.Random(4, 3, 5, seed: 33);
        var b = TableModel.Random(4, 3, 5, seed: 34);
        using var barrier = new Barrier(2);
        var together = new EnsembleStepModel<TableModel.State>([a, new AtBarrier(b, barrier)]);
        var alone = new EnsembleStepModel<TableModel.State>([a, b]);
        // Thread 0 steps inputs 0 and 1, thread 1 inputs 2 and 3.
        TableModel.State Rows(int first) => new([first, first + 1], [0, 0]);
        var results = new float[2][];
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            results[t] = new float[2 * 5];
            together.Step([Start, Start], [Rows(2 * t), Rows(2 * t)], results[t]);
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        for (int t = 0; t < 2; t++)
        {
            var expected = new float[2 * 5];
            alone.Step([Start, Start], [Rows(2 * t), Rows(2 * t)], expected);
            Assert.Equal(expected, results[t]);
        }
    }

    [Fact]
    public void Impossible_tokens_stay_impossible_and_large_values_do_not_overflow()
    {
        float ninf = float.NegativeInfinity;
        // Two members (M = 2), four entries each: both −∞; one −∞; both equal; far apart.
        float[] members = [ninf, ninf, -1f, -1000f, ninf, -2f, -1f, -0.001f];
        var output = new float[4];
        EnsembleStepModel<int>.Mean(members, 2, output);
        Assert.Equal(ninf, output[0]);
        Assert.Equal(-2 - Math.Log(2), output[1], 6);
        Assert.Equal(-1f, output[2], 6);
        Assert.Equal(-0.001 - Math.Log(2), output[3], 6);
    }

    [Fact]
    public void Bad_members_and_states_are_refused_by_name()
    {
        var a = TableModel.Random(2, 3, 4, seed: 5);
        var b = TableModel.Random(2, 3, 5, seed: 6);
        var empty = Assert.Throws<ArgumentException>("members", () => new EnsembleStepModel<TableModel.State>([]));
        Assert.Contains("expected at least one", empty.Message);
        var mixed = Assert.Throws<ArgumentException>("members", () => new EnsembleStepModel<TableModel.State>([a, b]));
        Assert.Contains("members[1] has a vocabulary of 5 tokens; expected 4", mixed.Message);
        Assert.Throws<ArgumentException>("members", () => new EnsembleStepModel<TableModel.State>([a, null!]));
        var ensemble = new EnsembleStepModel<TableModel.State>([a, a]);
        var wrong = Assert.Throws<ArgumentException>("state", () => ensemble.Step([Start, Start], [a.Initial(2)], new float[8]));
        Assert.Contains("holds 1 member states; expected 2", wrong.Message);
        Assert.Throws<ArgumentException>("logProbabilities", () => ensemble.Step([Start, Start], [a.Initial(2), a.Initial(2)], new float[7]));
        Assert.Throws<ArgumentException>("state", () => ensemble.SelectRows([a.Initial(2)], [0]));
    }
}
