using Recur.Layers;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Optimizers;

/// <summary>
/// The optimizer state's refusals, each named, each before anything changes, and its two
/// exports (copies for users, views for writers); written for the mutants Stryker left alive in
/// src/Recur/Optimizers (docs/TESTING.md).
/// </summary>
public class OptimizerStateTests
{
    private static Parameter Param(string name, params float[] values) => new(name, Tensor.FromArray(values, values.Length));

    /// <summary>An Adam that has stepped w once, and its exported state.</summary>
    private static (Parameter W, OptimizerState State) Stepped()
    {
        var w = Param("w", 1f, 2f);
        new[] { 0.5f, -0.25f }.CopyTo(w.Grad.Span);
        var adam = new Adam(0.1f);
        adam.Step(new[] { w });
        return (w, adam.ExportState(new[] { w }));
    }

    private static OptimizerState With(OptimizerState s, IEnumerable<KeyValuePair<string, Tensor>>? tensors = null, IEnumerable<KeyValuePair<string, double>>? scalars = null)
        => new(s.Optimizer, (tensors ?? s.Tensors).ToList(), (scalars ?? s.Scalars).ToList());

    /// <summary>Imports <paramref name="state"/> into a fresh Adam(0.2) that has stepped w twice: refused, and nothing changed.</summary>
    private static string Refused(Parameter w, OptimizerState state)
    {
        var target = new Adam(0.2f);
        target.Step(new[] { w });
        target.Step(new[] { w });
        var before = target.ExportState(new[] { w });
        var e = Assert.Throws<ArgumentException>(() => target.ImportState(new[] { w }, state));
        Assert.Equal("state", e.ParamName);
        Assert.Equal(0.2f, target.LearningRate);
        Assert.Equal(2, target.Iterations);
        var after = target.ExportState(new[] { w });
        Assert.Equal(before.Scalars, after.Scalars);
        Assert.Equal(before.Tensors.Select(t => t.Value.ToArray()), after.Tensors.Select(t => t.Value.ToArray()));
        return e.Message;
    }

    [Theory]
    [InlineData("iterations", -1.0)]
    [InlineData("iterations", 1.5)]
    [InlineData("iterations", 9e15)]
    [InlineData("0.step", -3.0)]
    [InlineData("0.step", 2.25)]
    public void A_count_that_is_not_a_non_negative_integer_is_refused(string key, double value)
    {
        var (w, s) = Stepped();
        string message = Refused(w, With(s, scalars: s.Scalars.Select(kv => kv.Key == key ? KeyValuePair.Create(key, value) : kv)));
        Assert.Equal($"state scalar '{key}' is {value}; expected a non-negative integer. (Parameter 'state')", message);
    }

    [Theory]
    [InlineData("iterations")]
    [InlineData("learning_rate")]
    public void A_state_without_its_iterations_or_learning_rate_is_refused(string key)
    {
        var (w, s) = Stepped();
        string message = Refused(w, With(s, scalars: s.Scalars.Where(kv => kv.Key != key)));
        Assert.StartsWith("state lacks the scalar 'iterations' or 'learning_rate'.", message);
    }

    [Fact]
    public void Malformed_or_unknown_entries_and_orphan_buffers_are_refused_by_name()
    {
        var (w, s) = Stepped();
        Assert.StartsWith("state entry 'x' is not of the form '{index}.{name}'.",
            Refused(w, With(s, scalars: s.Scalars.Append(KeyValuePair.Create("x", 1.0)))));
        Assert.StartsWith("state entry '7.step' refers to parameter 7; the list has 1 parameters.",
            Refused(w, With(s, scalars: s.Scalars.Append(KeyValuePair.Create("7.step", 1.0)))));
        Assert.StartsWith("state scalar '0.lr' is not part of adam's state for this configuration; expected '{index}.' followed by one of: step.",
            Refused(w, With(s, scalars: s.Scalars.Append(KeyValuePair.Create("0.lr", 1.0)))));
        // Buffers without their step count, and a step count without its buffers.
        Assert.StartsWith("state has buffers for parameter 0 but no '0.step'.",
            Refused(w, With(s, scalars: s.Scalars.Where(kv => kv.Key != "0.step"))));
        Assert.StartsWith("state lacks the tensor '0.exp_avg'.",
            Refused(w, With(s, tensors: Array.Empty<KeyValuePair<string, Tensor>>())));
    }

    [Fact]
    public void Import_replaces_every_listed_parameter_s_state_and_starts_the_unlisted_fresh()
    {
        var (w, s) = Stepped();
        var v = Param("v", 3f);
        v.Grad.Span[0] = 1f;
        var target = new Adam(0.1f);
        target.Step(new[] { w, v });
        // The state of w alone, as parameter 0 of the list [w, v]: v's state must go, not survive.
        target.ImportState(new[] { w, v }, s);
        var exported = target.ExportState(new[] { w, v });
        Assert.Equal(s.Tensors.Select(t => t.Key), exported.Tensors.Select(t => t.Key));
        Assert.Equal(s.Tensors.Select(t => t.Value.ToArray()), exported.Tensors.Select(t => t.Value.ToArray()));
        Assert.Equal(1, target.Iterations);
    }

    [Fact]
    public void Null_arguments_are_named()
    {
        var adam = new Adam();
        var (w, s) = Stepped();
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => adam.Step(null!)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => adam.ExportState(null!)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => adam.ImportState(null!, s)).ParamName);
        Assert.Equal("state", Assert.Throws<ArgumentNullException>(() => adam.ImportState(new[] { w }, null!)).ParamName);
        Assert.Throws<ArgumentException>(() => new OptimizerState("", [], []));
        Assert.Equal("tensors", Assert.Throws<ArgumentNullException>(() => new OptimizerState("adam", null!, [])).ParamName);
        Assert.Equal("scalars", Assert.Throws<ArgumentNullException>(() => new OptimizerState("adam", [], null!)).ParamName);
    }

    [Fact]
    public void A_non_finite_gradient_is_named_with_the_optimizer()
    {
        var w = Param("w", 1f);
        w.Grad.Span[0] = float.NaN;
        var e = Assert.Throws<NonFiniteGradientException>(() => new RmsProp().Step(new[] { w }));
        Assert.Contains("rmsprop step", e.Message);
    }

    [Fact]
    public void The_writer_s_state_views_the_buffers_and_the_user_s_copies_them()
    {
        var w = Param("w", 1f);
        w.Grad.Span[0] = 1f;
        var sgd = new Sgd(0.1f, momentum: 0.5f);
        sgd.Step(new[] { w });
        var view = sgd.ExportStateViews(new[] { w });
        var copy = sgd.ExportState(new[] { w });
        sgd.Step(new[] { w }); // momentum buffer 1 → 0.5·1 + 1 = 1.5
        Assert.Equal(1.5f, view.Tensors[0].Value.Span[0]);
        Assert.Equal(1f, copy.Tensors[0].Value.Span[0]);
    }

    [Fact]
    public void Adagrad_adds_eps_to_the_root_of_the_sum()
    {
        // g = 1e-10 and eps = 1e-10 (PyTorch's default): √sum = 1e-10, so the step is lr·g / 2e-10 = lr / 2.
        var w = Param("w", 0f);
        w.Grad.Span[0] = 1e-10f;
        new Adagrad(0.1f).Step(new[] { w });
        Assert.Equal(-0.05f, w.Value.Span[0], 1e-6f);
    }

    [Fact]
    public void A_fresh_optimizer_s_state_round_trips_and_reset_forgets_everything()
    {
        var (w, _) = Stepped();
        var fresh = new Adam(0.3f).ExportState(new[] { w }); // iterations 0, no entries
        var target = new Adam(0.1f);
        target.Step(new[] { w });
        target.ImportState(new[] { w }, fresh);
        Assert.Equal(0, target.Iterations);
        Assert.Equal(0.3f, target.LearningRate);
        Assert.Empty(target.ExportState(new[] { w }).Tensors);
        target.Step(new[] { w });
        target.Reset();
        Assert.Equal(0, target.Iterations);
        Assert.Empty(target.ExportState(new[] { w }).Tensors);
    }

    [Fact]
    public void Hyper_parameter_bounds_are_inclusive_where_pytorch_s_are_and_named_in_the_message()
    {
        _ = new Adam(beta1: 0f, beta2: 0f); // β = 0 is allowed, as in torch.optim.Adam
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f));
        Assert.StartsWith("beta1 must be in [0, 1); got 1.", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum: -0.5f));
        Assert.StartsWith("momentum must be a finite value ≥ 0; got -0.5.", e.Message);
    }

    [Fact]
    public void An_unknown_tensor_and_a_wrong_shape_are_named_with_the_expected_entries()
    {
        var (w, s) = Stepped();
        Assert.StartsWith("state tensor '0.sum' is not part of adam's state for this configuration; expected '{index}.' followed by one of: exp_avg, exp_avg_sq.",
            Refused(w, With(s, tensors: s.Tensors.Append(KeyValuePair.Create("0.sum", Tensor.Zeros(2))))));
        var wrongShape = With(s, tensors: s.Tensors.Select(t => t.Key == "0.exp_avg" ? KeyValuePair.Create(t.Key, Tensor.Zeros(3)) : t));
        var e = Assert.Throws<ArgumentException>(() => new Adam().ImportState(new[] { w }, wrongShape));
        Assert.Equal("state tensor '0.exp_avg'", e.ParamName);
    }

    [Fact]
    public void Each_optimizer_s_config_holds_its_hyper_parameters()
    {
        Assert.Equal("""{"learning_rate":0.5,"initial_accumulator":0.25,"eps":0.125,"weight_decay":0.0625}""",
            new Adagrad(0.5f, 0.25f, 0.125f, 0.0625f).GetConfig()!.ToJsonString());
        Assert.Equal("""{"learning_rate":0.5,"beta1":0.25,"beta2":0.75,"eps":0.125,"weight_decay":0.0625}""",
            new Adam(0.5f, 0.25f, 0.75f, 0.125f, 0.0625f).GetConfig()!.ToJsonString());
        Assert.Equal("""{"learning_rate":0.5,"alpha":0.25,"eps":0.125,"momentum":0.75,"centered":true,"weight_decay":0.0625}""",
            new RmsProp(0.5f, 0.25f, 0.125f, 0.75f, centered: true, weightDecay: 0.0625f).GetConfig()!.ToJsonString());
        Assert.Equal("""{"learning_rate":0.5,"momentum":0.25,"nesterov":true,"weight_decay":0.0625}""",
            new Sgd(0.5f, 0.25f, nesterov: true, weightDecay: 0.0625f).GetConfig()!.ToJsonString());
    }
}
