using Recur.Layers;
using Recur.Layers.Attention;

namespace Recur.Tests.Layers.Attention;

/// <summary>
/// The attention layers' contract beyond their gradients: initial weights, refusals and their
/// messages, what <see cref="AttentionLayer.Attend"/> returns for each flag, gradients that
/// accumulate over calls (a decoder attends once per step), a softmax that cannot overflow,
/// and the general score's choice of the cheaper side to project.
/// </summary>
public class AttentionContractTests
{
    private static Tensor Random(int seed, params int[] shape)
    {
        var r = new SeededRandom((ulong)seed);
        var t = Tensor.Zeros(shape);
        for (int i = 0; i < t.Length; i++) t.Span[i] = r.Normal(0f, 1f);
        return t;
    }

    private static AttentionLayer Score(string score) => score switch
    {
        "general" => new GeneralAttention("att"),
        "additive" => new AdditiveAttention(5, "att"),
        _ => new DotAttention("att"),
    };

    /// <summary>Every weight in (−a, a], a = √(6 / (fanIn + fanOut)), and spread over the range (not left at zero).</summary>
    private static void GlorotUniform(Parameter p, int fanIn, int fanOut)
    {
        float a = MathF.Sqrt(6f / (fanIn + fanOut));
        var w = p.Value.ToArray();
        Assert.All(w, x => Assert.InRange(x, -a, a));
        Assert.True(w.Max(MathF.Abs) > a / 2, $"{p.Name}: largest magnitude {w.Max(MathF.Abs)} of a = {a}");
        Assert.True(w.Distinct().Count() == w.Length, $"{p.Name}: repeated values");
    }

    [Fact]
    public void Built_weights_are_glorot_uniform_and_the_additive_bias_zero()
    {
        var general = new GeneralAttention();
        general.Build(4, 6, new SeededRandom(7));
        GlorotUniform(general.Weight!, fanIn: 6, fanOut: 4);

        var additive = new AdditiveAttention(5);
        additive.Build(4, 6, new SeededRandom(7));
        var p = additive.Parameters.ToDictionary(x => x.Name);
        Assert.Equal(["query_weight", "memory_weight", "bias", "v"], additive.Parameters.Select(x => x.Name));
        GlorotUniform(p["query_weight"], fanIn: 4, fanOut: 5);
        GlorotUniform(p["memory_weight"], fanIn: 6, fanOut: 5);
        GlorotUniform(p["v"], fanIn: 5, fanOut: 1);
        Assert.All(p["bias"].Value.ToArray(), b => Assert.Equal(0f, b));
        Assert.Equal([-1, 4, 6], additive.BuiltInputShape!);
    }

    [Fact]
    public void Bad_arguments_are_refused_with_their_name_value_and_message()
    {
        var att = new GeneralAttention("att");
        var q = Assert.Throws<ArgumentOutOfRangeException>("queryFeatures", () => att.Build(0, 4));
        Assert.Equal(0, q.ActualValue);
        Assert.StartsWith("queryFeatures must be positive.", q.Message);
        var m = Assert.Throws<ArgumentOutOfRangeException>("memoryFeatures", () => att.Build(4, 0));
        Assert.Equal(0, m.ActualValue);
        Assert.StartsWith("memoryFeatures must be positive.", m.Message);
        Assert.False(att.IsBuilt);
        Assert.StartsWith("units must be positive; got 0.", Assert.Throws<ArgumentOutOfRangeException>("units", () => new AdditiveAttention(0)).Message);

        Assert.Throws<ArgumentNullException>("inputShape", () => att.ComputeOutputShape(null!));
        Assert.Equal("Layer 'att' (GeneralAttention) takes a query and a memory: call Attend(query, memory, memoryMask).",
            Assert.Throws<NotSupportedException>(() => att.Forward(Random(1, 2, 3, 4))).Message);
        Assert.Equal("Layer 'att' (GeneralAttention) back-propagates with Backward(cache, gradContext).",
            Assert.Throws<NotSupportedException>(() => att.Backward(Random(1, 2, 3, 4))).Message);
        Assert.Contains("(batch, query steps, features)", Assert.Throws<ArgumentException>("query", () => att.Attend(Random(1, 2, 4), Random(2, 2, 5, 3))).Message);
        Assert.Contains("(batch, memory steps, features)", Assert.Throws<ArgumentException>("memory", () => att.Attend(Random(1, 2, 3, 4), Random(2, 2, 3))).Message);

        var output = att.Attend(Random(1, 2, 3, 4), Random(2, 2, 5, 3), training: true);
        Assert.Throws<ArgumentNullException>("cache", () => att.Backward(null!, Random(3, 2, 3, 3)));
        Assert.Throws<ArgumentException>("gradContext", () => att.Backward(output.Cache!, Random(3, 2, 3, 4)));
    }

    [Fact]
    public void The_additive_config_holds_its_units()
        => Assert.Equal(8, (int)new AdditiveAttention(8).GetConfig()["units"]!);

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Attend_returns_the_weights_only_when_asked_and_the_cache_only_in_training(bool returnWeights, bool training)
    {
        var output = new DotAttention().Attend(Random(1, 2, 3, 4), Random(2, 2, 5, 4), returnWeights: returnWeights, training: training);
        Assert.Equal(returnWeights, output.Weights is not null);
        Assert.Equal(training, output.Cache is not null);
        Assert.Equal([2, 3, 4], output.Context.Shape.ToArray());
    }

    [Fact]
    public void Changing_the_returned_weights_does_not_change_the_backward_pass()
    {
        var att = new GeneralAttention();
        Tensor q = Random(1, 2, 3, 4), m = Random(2, 2, 5, 3), g = Random(3, 2, 3, 3);
        var clean = att.Backward(att.Attend(q, m, training: true).Cache!, g);
        var output = att.Attend(q, m, returnWeights: true, training: true);
        output.Weights!.Span.Fill(0.2f);
        var after = att.Backward(output.Cache!, g);
        Assert.Equal(clean.Query.ToArray(), after.Query.ToArray());
        Assert.Equal(clean.Memory.ToArray(), after.Memory.ToArray());
    }

    [Theory]
    [InlineData("general", 1, 5)] // projects the query
    [InlineData("general", 6, 2)] // projects the memory
    [InlineData("additive", 3, 4)]
    public void Parameter_gradients_accumulate_over_calls(string score, int Tq, int Tk)
    {
        var att = Score(score);
        Tensor q = Random(1, 2, Tq, 4), m = Random(2, 2, Tk, 4), g = Random(3, 2, Tq, 4);
        var cache = att.Attend(q, m, training: true).Cache!;
        if (score == "general") Assert.Equal(Tq == 1, GeneralAttention.ProjectsQuery(Tq, Tk, 4, 4));
        att.Backward(cache, g);
        var once = att.Parameters.Select(p => p.Grad.ToArray()).ToArray();
        att.Backward(cache, g);
        for (int k = 0; k < once.Length; k++)
        {
            var twice = att.Parameters[k].Grad.ToArray();
            Assert.True(once[k].Any(x => x != 0f), $"{att.Parameters[k].Name}: no gradient");
            for (int i = 0; i < twice.Length; i++)
                Assert.True(MathF.Abs(twice[i] - 2 * once[k][i]) <= 1e-5f * (1 + MathF.Abs(once[k][i])), $"{att.Parameters[k].Name}[{i}]: {twice[i]} after two calls, {once[k][i]} after one");
        }
    }

    [Fact]
    public void Large_scores_give_finite_weights()
    {
        // Scores 81, 72 and −81: exp of a score unshifted overflows float.
        var q = new Tensor([9f, 0f], 1, 1, 2);
        var m = new Tensor([9f, 0f, 8f, 0f, -9f, 0f], 1, 3, 2);
        var w = new DotAttention().Attend(q, m, returnWeights: true).Weights!.ToArray();
        double e9 = Math.Exp(-9);
        Assert.Equal(1 / (1 + e9), w[0], 6);
        Assert.Equal(e9 / (1 + e9), w[1], 6);
        Assert.Equal(0f, w[2]);
    }

    [Fact]
    public void The_general_score_projects_the_side_that_costs_fewer_multiply_adds()
    {
        foreach (int tq in new[] { 1, 2, 7, 30 })
            foreach (int tk in new[] { 1, 3, 8, 40 })
                foreach (int dq in new[] { 1, 4, 64 })
                    foreach (int dm in new[] { 2, 16, 256 })
                    {
                        long query = (long)tq * dq * dm + (long)tq * tk * dm, memory = (long)tk * dm * dq + (long)tq * tk * dq;
                        Assert.True(GeneralAttention.ProjectsQuery(tq, tk, dq, dm) == query < memory, $"Tq {tq}, Tk {tk}, Dq {dq}, Dm {dm}: {query} against {memory}");
                    }
    }
}
