using Recur.Decoding;

namespace Recur.Tests.Decoding;

public class SamplerTests
{
    private static readonly float[] LogP = [MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f)];

    private static double[] Frequencies(SamplingOptions options, int draws, int seed)
    {
        var random = new SeededRandom(seed);
        var weights = new double[LogP.Length];
        var counts = new double[LogP.Length];
        for (int i = 0; i < draws; i++) counts[Sampler.Draw(LogP, options, random, weights)]++;
        return counts.Select(c => c / draws).ToArray();
    }

    [Fact]
    public void Temperature_one_draws_from_the_distribution()
    {
        var f = Frequencies(new SamplingOptions(), 40_000, 3);
        // Binomial standard error at 40,000 draws is at most 0.0025: allow 4 of them.
        double[] p = [0.5, 0.3, 0.15, 0.05];
        for (int j = 0; j < 4; j++) Assert.InRange(f[j], p[j] - 0.01, p[j] + 0.01);
    }

    [Fact]
    public void Temperature_reshapes_as_p_to_the_power_one_over_t()
    {
        var f = Frequencies(new SamplingOptions { Temperature = 0.5 }, 40_000, 4);
        double[] q = [0.25, 0.09, 0.0225, 0.0025];
        double sum = q.Sum();
        for (int j = 0; j < 4; j++) Assert.InRange(f[j], q[j] / sum - 0.01, q[j] / sum + 0.01);
    }

    [Fact]
    public void Top_k_keeps_only_the_k_most_probable_tokens_renormalised()
    {
        var f = Frequencies(new SamplingOptions { TopK = 2 }, 40_000, 5);
        Assert.Equal(0, f[2]);
        Assert.Equal(0, f[3]);
        Assert.InRange(f[0], 0.625 - 0.01, 0.625 + 0.01);
        Assert.Equal(new[] { 1.0, 0, 0, 0 }, Frequencies(new SamplingOptions { TopK = 1 }, 1000, 6));
        // Ties at the k-th value: only as many as fit, lowest ids first.
        float[] tied = [0f, 0f, 0f, -1f];
        var w = new double[4];
        var r = new SeededRandom(1);
        for (int i = 0; i < 200; i++) Assert.NotEqual(2, Sampler.Draw(tied, new SamplingOptions { TopK = 2 }, r, w));
    }

    [Fact]
    public void Sampling_is_seeded_and_feeds_each_token_back()
    {
        var model = TableModel.Random(inputs: 3, steps: 20, vocab: 5, seed: 9);
        var a = Sampler.Sample(model, model.Initial(3), [0, 0, 0], 20, new SamplingOptions { Temperature = 0.7 }, new SeededRandom(42));
        var b = Sampler.Sample(model, model.Initial(3), [0, 0, 0], 20, new SamplingOptions { Temperature = 0.7 }, new SeededRandom(42));
        Assert.Equal(a.Tokens, b.Tokens);
        Assert.Equal(20, a.State.Step[0]);
        // A very low temperature is greedy: each token is the argmax after the previous one.
        var cold = Sampler.Sample(new NoEnd(model), model.Initial(3), [0, 0, 0], 20, new SamplingOptions { Temperature = 1e-6 }, new SeededRandom(1));
        var greedy = GreedyDecoder.Decode(new NoEnd(model), model.Initial(3), 0, 0, 20);
        for (int row = 0; row < 3; row++) Assert.Equal(greedy[row].Tokens, cold.Tokens[row]);
        Assert.Throws<ArgumentOutOfRangeException>("Temperature", () => Sampler.Sample(model, model.Initial(3), [0, 0, 0], 5, new SamplingOptions { Temperature = 0 }, new SeededRandom(1)));
        Assert.Throws<ArgumentOutOfRangeException>("TopK", () => Sampler.Sample(model, model.Initial(3), [0, 0, 0], 5, new SamplingOptions { TopK = 0 }, new SeededRandom(1)));
        Assert.Throws<ArgumentException>("previous", () => Sampler.Sample(model, model.Initial(3), [0, 0], 5, new SamplingOptions(), new SeededRandom(1)));
    }

    /// <summary>The table model with token 0 made impossible, so greedy decoding with 0 as the end token runs the whole length.</summary>
    private sealed class NoEnd(TableModel inner) : IStepModel<TableModel.State>
    {
        public int VocabularySize => inner.VocabularySize;

        public int Rows(TableModel.State state) => inner.Rows(state);

        public TableModel.State Step(ReadOnlySpan<int> previous, TableModel.State state, Span<float> logProbabilities)
        {
            var next = inner.Step(previous, state, logProbabilities);
            for (int r = 0; r < previous.Length; r++) logProbabilities[r * VocabularySize] = float.NegativeInfinity;
            return next;
        }

        public TableModel.State SelectRows(TableModel.State state, ReadOnlySpan<int> rows) => inner.SelectRows(state, rows);
    }
}
