using Recur.Layers;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Optimizers;

public class OptimizerBehaviourTests
{
    private static Parameter Param(string name, params float[] values) => new(name, Tensor.FromArray(values, values.Length));

    private static void SetGrad(Parameter p, params float[] grad) => grad.CopyTo(p.Grad.Span);

    public static TheoryData<string> AllOptimizers() => new("sgd", "adam", "adamw", "rmsprop", "adagrad");

    private static Optimizer Make(string name) => name switch
    {
        "sgd" => new Sgd(0.1f, momentum: 0.9f),
        "adam" => new Adam(),
        "adamw" => new AdamW(),
        "rmsprop" => new RmsProp(),
        "adagrad" => new Adagrad(),
        _ => throw new ArgumentException(name),
    };

    [Fact]
    public void Learning_rate_changes_take_effect_at_the_next_step()
    {
        // Plain SGD: θ ← θ − lr·g, so each step's movement is exactly lr·g.
        var p = Param("w", 1f);
        var sgd = new Sgd(0.5f);
        SetGrad(p, 1f);
        sgd.Step(new[] { p });
        Assert.Equal(0.5f, p.Value.Span[0]);
        sgd.LearningRate = 0.125f;
        sgd.Step(new[] { p });
        Assert.Equal(0.375f, p.Value.Span[0]);
        sgd.LearningRate = 0f;
        sgd.Step(new[] { p });
        Assert.Equal(0.375f, p.Value.Span[0]);
        Assert.Equal(3, sgd.Iterations);
    }

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void Non_finite_gradient_is_reported_and_nothing_changes(string name)
    {
        var optimizer = Make(name);
        var a = Param("weight", 1f, 2f);
        var b = Param("bias", 3f);
        var c = Param("weight_hh", 4f, 5f);
        var all = new[] { a, b, c };
        SetGrad(a, 0.1f, 0.2f); SetGrad(b, 0.3f); SetGrad(c, 0.4f, 0.5f);
        optimizer.Step(all);
        var before = all.Select(p => p.Value.ToArray()).ToArray();
        var stateBefore = optimizer.ExportState(all);

        SetGrad(a, 0.1f, 0.2f); SetGrad(b, float.NaN); SetGrad(c, 0.4f, float.NegativeInfinity);
        var ex = Assert.Throws<NonFiniteGradientException>(() => optimizer.Step(all));
        Assert.Equal(new[] { 1, 2 }, ex.ParameterIndices);
        Assert.Equal(new[] { "bias", "weight_hh" }, ex.ParameterNames);
        Assert.Contains("'bias'", ex.Message);
        Assert.Contains("NaN", ex.Message);
        Assert.Contains("-Infinity", ex.Message);
        Assert.DoesNotContain("'weight'", ex.Message);

        for (int i = 0; i < all.Length; i++) Assert.Equal(before[i], all[i].Value.ToArray());
        Assert.Equal(1, optimizer.Iterations);
        var stateAfter = optimizer.ExportState(all);
        Assert.Equal(stateBefore.Tensors.Select(t => t.Value.ToArray()), stateAfter.Tensors.Select(t => t.Value.ToArray()));
    }

    [Fact]
    public void Non_trainable_parameters_are_skipped_even_with_bad_gradients()
    {
        var frozen = Param("frozen", 1f);
        frozen.Trainable = false;
        var live = Param("live", 1f);
        SetGrad(frozen, float.NaN);
        SetGrad(live, 1f);
        var adam = new Adam(0.1f);
        adam.Step(new[] { frozen, live });
        Assert.Equal(1f, frozen.Value.Span[0]);
        Assert.NotEqual(1f, live.Value.Span[0]);
        var state = adam.ExportState(new[] { frozen, live });
        Assert.All(state.Tensors, t => Assert.StartsWith("1.", t.Key));
    }

    [Fact]
    public void State_is_kept_per_parameter()
    {
        // Two parameters stepped together by one Adam behave as each stepped alone.
        var p1 = Param("a", 1f, -1f); var p2 = Param("b", 0.5f);
        var q1 = Param("a", 1f, -1f); var q2 = Param("b", 0.5f);
        var together = new Adam(0.1f);
        var alone1 = new Adam(0.1f);
        var alone2 = new Adam(0.1f);
        for (int step = 0; step < 3; step++)
        {
            SetGrad(p1, step, 2f); SetGrad(q1, step, 2f);
            SetGrad(p2, -1f - step); SetGrad(q2, -1f - step);
            together.Step(new[] { p1, p2 });
            alone1.Step(new[] { q1 });
            alone2.Step(new[] { q2 });
        }
        Assert.Equal(q1.Value.ToArray(), p1.Value.ToArray());
        Assert.Equal(q2.Value.ToArray(), p2.Value.ToArray());
    }

    [Fact]
    public void Adagrad_accumulator_starts_at_the_initial_value()
    {
        // One step: S = s0 + g², θ = θ0 − lr·g / (√S + ε).
        var p = Param("w", 2f);
        SetGrad(p, 3f);
        var adagrad = new Adagrad(0.5f, initialAccumulator: 7f);
        adagrad.Step(new[] { p });
        Assert.Equal(2f - 0.5f * 3f / (4f + 1e-10f), p.Value.Span[0], 6);
        Assert.Equal(16f, adagrad.ExportState(new[] { p }).Tensors.Single(t => t.Key == "0.sum").Value.Span[0]);
    }

    [Theory]
    [InlineData("learningRate", -0.1f)]
    [InlineData("learningRate", float.NaN)]
    [InlineData("momentum", -1f)]
    [InlineData("beta1", 1f)]
    [InlineData("beta2", -0.5f)]
    [InlineData("eps", -1e-8f)]
    [InlineData("weightDecay", -0.01f)]
    [InlineData("alpha", float.PositiveInfinity)]
    [InlineData("initialAccumulator", -1f)]
    public void Hyper_parameters_are_validated_by_name(string name, float bad)
    {
        Func<Optimizer> make = name switch
        {
            "learningRate" => () => new Adam(bad),
            "momentum" => () => new Sgd(0.1f, momentum: bad),
            "beta1" => () => new Adam(beta1: bad),
            "beta2" => () => new AdamW(beta2: bad),
            "eps" => () => new RmsProp(eps: bad),
            "weightDecay" => () => new Sgd(0.1f, weightDecay: bad),
            "alpha" => () => new RmsProp(alpha: bad),
            "initialAccumulator" => () => new Adagrad(initialAccumulator: bad),
            _ => throw new ArgumentException(name),
        };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => make());
        Assert.Equal(name, ex.ParamName);
        Assert.Contains(name, ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f).LearningRate = -1f);
    }

    [Fact]
    public void Nesterov_needs_momentum()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Sgd(0.1f, nesterov: true));
        Assert.Equal("nesterov", ex.ParamName);
        Assert.StartsWith("nesterov = true requires momentum > 0; got momentum = 0.", ex.Message);
    }

    [Fact]
    public void Import_rejects_foreign_or_malformed_state_without_changing_anything()
    {
        var p = Param("w", 1f, 2f);
        SetGrad(p, 0.5f, 0.5f);
        var adam = new Adam(0.1f);
        adam.Step(new[] { p });
        var good = adam.ExportState(new[] { p });

        var target = new Adam(0.2f);
        var ex = Assert.Throws<ArgumentException>(() => new Sgd(0.1f).ImportState(new[] { p }, good));
        Assert.Contains("'adam'", ex.Message);
        Assert.Contains("'sgd'", ex.Message);

        var wrongShape = new OptimizerState("adam",
            good.Tensors.Select(t => new KeyValuePair<string, Tensor>(t.Key, Tensor.Zeros(3))).ToList(), good.Scalars);
        ex = Assert.Throws<ArgumentException>(() => target.ImportState(new[] { p }, wrongShape));
        Assert.Contains("(3,)", ex.Message);
        Assert.Contains("(2,)", ex.Message);

        var unknown = new OptimizerState("adam", good.Tensors.Append(new("0.momentum_buffer", Tensor.Zeros(2))).ToList(), good.Scalars);
        ex = Assert.Throws<ArgumentException>(() => target.ImportState(new[] { p }, unknown));
        Assert.Contains("0.momentum_buffer", ex.Message);

        var missing = new OptimizerState("adam", good.Tensors.Take(1).ToList(), good.Scalars);
        ex = Assert.Throws<ArgumentException>(() => target.ImportState(new[] { p }, missing));
        Assert.Contains("0.exp_avg_sq", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => target.ImportState(Array.Empty<Parameter>(), good));
        Assert.Contains("parameter 0", ex.Message);

        Assert.Equal(0.2f, target.LearningRate);
        Assert.Equal(0, target.Iterations);
        Assert.Empty(target.ExportState(new[] { p }).Tensors);
    }

    [Fact]
    public void Exported_tensors_are_copies()
    {
        var p = Param("w", 1f);
        SetGrad(p, 1f);
        var sgd = new Sgd(0.1f, momentum: 0.5f);
        sgd.Step(new[] { p });
        var state = sgd.ExportState(new[] { p });
        sgd.Step(new[] { p });
        Assert.Equal(1f, state.Tensors[0].Value.Span[0]); // the buffer after step 1, not step 2
    }
}
