using Recur.Layers;
using Recur.Layers.Attention;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Attention;

/// <summary>Finite differences of every input and parameter, with padded memory steps; masking and bad shapes.</summary>
public class AttentionGradientTests
{
    private static Tensor Random(int seed, params int[] shape)
    {
        var r = new SeededRandom(seed);
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Span[i] = r.Normal(0f, 1f);
        return t;
    }

    [Theory]
    [InlineData("dot", 0, 4)]
    [InlineData("general", 0, 4)]
    [InlineData("general", 0, 1)] // one query step: the query side is projected
    [InlineData("additive", 5, 4)]
    public void Gradients_match_finite_differences_with_a_mask(string score, int units, int Tq)
    {
        const int B = 3, Tk = 5;
        int Dq = score == "dot" ? 4 : 3, Dm = 4;
        var layer = AttentionFixtureTests.Create(score, units);
        layer.Build(Dq, Dm, new SeededRandom(2));
        foreach (var p in layer.Parameters)
        {
            var r = new SeededRandom(p.Name.Length + 10);
            for (int i = 0; i < p.Value.Length; i++) p.Value.Span[i] = r.Uniform(-0.8f, 0.8f);
        }
        var query = Random(3, B, Tq, Dq);
        var memory = Random(4, B, Tk, Dm);
        var mask = SequenceMask.FromLengths([5, 2, 1], Tk);
        var w = GradientCheck.RandomWeights(B * Tq * Dm, 5);
        double Loss() => GradientCheck.Dot(layer.Attend(query, memory, mask).Context.Span, w);

        var result = layer.Attend(query, memory, mask, training: true);
        foreach (var p in layer.Parameters) p.ZeroGrad();
        var grads = layer.Backward(result.Cache!, new Tensor(w, B, Tq, Dm));
        GradientCheck.Check("query", query.Data, grads.Query.Span, Loss);
        GradientCheck.Check("memory", memory.Data, grads.Memory.Span, Loss);
        foreach (var p in layer.Parameters) GradientCheck.Check(p.Name, p.Value.Data, p.Grad.Span, Loss);
        // Padded memory steps get no gradient.
        for (int b = 0; b < B; b++)
            for (int j = mask.Length(b); j < Tk; j++)
                for (int d = 0; d < Dm; d++) Assert.Equal(0f, grads.Memory[b, j, d]);
    }

    [Theory]
    [InlineData("dot", 0)]
    [InlineData("general", 0)]
    [InlineData("additive", 3)]
    public void Padded_memory_steps_have_zero_weight_and_no_influence(string score, int units)
    {
        var layer = AttentionFixtureTests.Create(score, units);
        var query = Random(1, 2, 3, 4);
        var memory = Random(2, 2, 6, 4);
        var mask = SequenceMask.FromLengths([6, 3], 6);
        var first = layer.Attend(query, memory, mask, returnWeights: true);
        for (int i = 0; i < 3; i++)
        {
            double sum = 0;
            for (int j = 0; j < 6; j++) sum += first.Weights![1, i, j];
            Assert.Equal(1.0, sum, 5);
            for (int j = 3; j < 6; j++) Assert.Equal(0f, first.Weights![1, i, j]);
        }
        for (int j = 3; j < 6; j++) for (int d = 0; d < 4; d++) memory[1, j, d] = 1000f;
        var second = layer.Attend(query, memory, mask);
        Assert.Equal(first.Context.ToArray(), second.Context.ToArray());
        // Without the mask, the padding matters.
        Assert.NotEqual(first.Context.ToArray(), layer.Attend(query, memory).Context.ToArray());
    }

    [Fact]
    public void A_row_without_real_memory_gets_zero_weights_and_context()
    {
        var layer = new DotAttention();
        var result = layer.Attend(Random(1, 2, 2, 3), Random(2, 2, 4, 3), SequenceMask.FromLengths([4, 0], 4), returnWeights: true);
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 4; j++) Assert.Equal(0f, result.Weights![1, i, j]);
            for (int d = 0; d < 3; d++) Assert.Equal(0f, result.Context[1, i, d]);
        }
    }

    [Fact]
    public void Bad_shapes_name_the_argument_and_the_shapes()
    {
        var dot = new DotAttention();
        var e = Assert.Throws<ArgumentException>(() => dot.Attend(Random(1, 2, 3, 4), Random(2, 2, 5, 3)));
        Assert.Contains("4 and 3", e.Message);
        var general = new GeneralAttention();
        general.Attend(Random(1, 2, 3, 4), Random(2, 2, 5, 3));
        Assert.Contains("batch 2", Assert.Throws<ArgumentException>("memory", () => general.Attend(Random(1, 2, 3, 4), Random(2, 3, 5, 3))).Message);
        Assert.Throws<ArgumentException>("memoryMask", () => general.Attend(Random(1, 2, 3, 4), Random(2, 2, 5, 3), SequenceMask.FromLengths([1, 2], 4)));
        Assert.Contains("built for queries of 4", Assert.Throws<ArgumentException>(() => general.Attend(Random(1, 2, 3, 5), Random(2, 2, 5, 3))).Message);
        Assert.Throws<ArgumentException>("query", () => general.Attend(Random(1, 2, 3), Random(2, 2, 5, 3)));
        Assert.Throws<ArgumentOutOfRangeException>("units", () => new AdditiveAttention(0));
        Assert.Throws<NotSupportedException>(() => general.Forward(Random(1, 2, 3, 4)));
    }
}
