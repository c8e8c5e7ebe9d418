using Recur.Layers;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers;

/// <summary>TimeDistributed: the wrapped layer applied to every step, forward and backward, its shapes, refusals and config.</summary>
public class TimeDistributedTests
{
    private static (TimeDistributed Wrapped, Dense Inner) Built(int features = 3, int units = 2)
    {
        var inner = new Dense(units, Activation.Tanh, name: "head");
        var wrapped = new TimeDistributed(inner);
        wrapped.Build([-1, features], new SeededRandom(3));
        return (wrapped, inner);
    }

    [Fact]
    public void Every_step_of_every_sequence_goes_through_the_inner_layer_alone()
    {
        var (wrapped, inner) = Built();
        var x = GradientCheck.RandomTensor(new SeededRandom(1), 1f, 2, 4, 3); // (B, T, F)
        var y = wrapped.Infer(x);
        Assert.Equal(new[] { 2, 4, 2 }, y.ShapeArray);
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 4; t++)
            {
                var step = Tensor.FromArray(x.Span.Slice((b * 4 + t) * 3, 3), 1, 3);
                Assert.Equal(inner.Infer(step).ToArray(), y.Span.Slice((b * 4 + t) * 2, 2).ToArray());
            }
        Assert.Equal(y.ToArray(), wrapped.Forward(x).ToArray());
        Assert.Equal(new[] { 5, 2 }, wrapped.ComputeOutputShape([5, 3]));
        Assert.Equal(new[] { -1, 2 }, wrapped.ComputeOutputShape([-1, 3]));
        Assert.Same(inner.Parameters[0], wrapped.Parameters[0]);
        Assert.Equal([inner], wrapped.InnerLayers);
        Assert.Equal("time_distributed_head", wrapped.Name);
    }

    [Fact]
    public void Backward_matches_finite_differences_for_the_input_and_the_inner_weights()
    {
        var (wrapped, _) = Built(features: 3, units: 4);
        LayerGradientCheck.Check(wrapped, GradientCheck.RandomTensor(new SeededRandom(2), 1f, 3, 5, 3));
    }

    [Fact]
    public void A_dropout_inside_draws_from_its_own_seeded_stream()
    {
        var wrapped = new TimeDistributed(new Dropout(0.5f));
        wrapped.Build([-1, 8], new SeededRandom(4));
        Assert.Single(wrapped.RandomStreams);
        var x = Tensor.Full(1f, 2, 3, 8);
        var dropped = wrapped.Forward(x, training: true).ToArray();
        Assert.Contains(0f, dropped);
        Assert.Contains(2f, dropped);
        Assert.Equal(x.ToArray(), wrapped.Infer(x).ToArray());
    }

    [Fact]
    public void Inputs_without_a_time_axis_and_gradients_of_another_shape_are_refused()
    {
        var wrapped = new TimeDistributed(new Dense(2, name: "d"), name: "per_step");
        var rank = Assert.Throws<ArgumentException>(() => wrapped.Build([3], new SeededRandom(1)));
        Assert.Equal("inputShape", rank.ParamName);
        Assert.Contains("'per_step' needs inputs (batch, time, …); got per-sample shape (3)", rank.Message);
        Assert.Throws<ArgumentException>(() => wrapped.ComputeOutputShape([3]));
        Assert.Throws<ArgumentNullException>(() => new TimeDistributed(null!));
        var (built, _) = Built();
        built.Forward(Tensor.Zeros(2, 4, 3));
        var grad = Assert.Throws<ArgumentException>(() => built.Backward(Tensor.Zeros(2, 5, 2)));
        Assert.Equal("gradOutput", grad.ParamName);
        Assert.Contains("expected (2, 4, …)", grad.Message);
        built.Forward(Tensor.Zeros(2, 4, 3));
        Assert.Throws<ArgumentException>(() => built.Backward(Tensor.Zeros(3, 4, 2)));
    }

    [Fact]
    public void The_config_recreates_the_wrapped_layer()
    {
        var wrapped = new TimeDistributed(new Dense(5, Activation.Relu, name: "inner"), name: "td");
        var copy = Assert.IsType<TimeDistributed>(LayerRegistry.Create(LayerRegistry.Describe(wrapped)));
        Assert.Equal("td", copy.Name);
        var inner = Assert.IsType<Dense>(copy.Inner);
        Assert.Equal("inner", inner.Name);
        Assert.Equal(LayerRegistry.Describe(wrapped).ToJsonString(), LayerRegistry.Describe(copy).ToJsonString());
    }
}
