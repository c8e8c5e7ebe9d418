using Recur.Layers;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers;

public class DenseTests
{
    private static Dense Built(int features, int units, Activation activation, bool useBias = true, int seed = 3)
    {
        var dense = new Dense(units, activation, useBias);
        dense.Build(new[] { features }, new SeededRandom(seed));
        if (useBias)
        {
            // Non-zero bias so that the bias path is exercised by value tests.
            var r = new SeededRandom(seed + 100);
            for (int i = 0; i < units; i++) dense.Bias!.Value.Span[i] = r.Uniform(-0.5f, 0.5f);
        }
        return dense;
    }

    [Fact]
    public void Parameters_are_named_and_shaped_like_torch_linear_with_keras_init()
    {
        var dense = new Dense(4);
        dense.Build(new[] { 6 }, new SeededRandom(1));
        Assert.Equal(new[] { "weight", "bias" }, dense.Parameters.Select(p => p.Name));
        Assert.Equal(new[] { 4, 6 }, dense.Weight!.Value.ShapeArray);
        Assert.Equal(new[] { 4 }, dense.Bias!.Value.ShapeArray);
        float limit = MathF.Sqrt(6f / (6 + 4));
        Assert.All(dense.Weight.Value.ToArray(), w => Assert.InRange(w, -limit, limit));
        Assert.True(dense.Weight.Value.ToArray().Max() > limit / 2, "Glorot weights should spread over the range");
        Assert.All(dense.Bias.Value.ToArray(), b => Assert.Equal(0f, b));
        var noBias = new Dense(4, useBias: false);
        noBias.Build(new[] { 6 });
        Assert.Null(noBias.Bias);
        Assert.Single(noBias.Parameters);
    }

    [Theory]
    [InlineData(Activation.Linear)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Softmax)]
    public void Forward_2d_matches_a_hand_written_loop(Activation activation)
    {
        const int b = 3, f = 4, u = 5;
        var dense = Built(f, u, activation);
        var x = GradientCheck.RandomTensor(new SeededRandom(9), 2f, b, f);
        var y = dense.Forward(x);
        Assert.Equal(new[] { b, u }, y.ShapeArray);

        var w = dense.Weight!.Value;
        var bias = dense.Bias!.Value;
        for (int r = 0; r < b; r++)
        {
            var z = new double[u];
            for (int j = 0; j < u; j++)
            {
                z[j] = bias[j];
                for (int k = 0; k < f; k++) z[j] += (double)x[r, k] * w[j, k];
            }
            double sumExp = z.Sum(Math.Exp);
            for (int j = 0; j < u; j++)
            {
                double expected = activation switch
                {
                    Activation.Linear => z[j],
                    Activation.Relu => Math.Max(z[j], 0),
                    Activation.Tanh => Math.Tanh(z[j]),
                    Activation.Sigmoid => 1 / (1 + Math.Exp(-z[j])),
                    Activation.Softmax => Math.Exp(z[j]) / sumExp,
                    _ => throw new InvalidOperationException(),
                };
                Assert.Equal(expected, y[r, j], 5);
            }
        }
    }

    [Fact]
    public void Forward_3d_applies_the_same_map_at_every_step()
    {
        const int b = 2, t = 3, f = 4, u = 3;
        var dense = Built(f, u, Activation.Tanh);
        var x = GradientCheck.RandomTensor(new SeededRandom(5), 1f, b, t, f);
        var y = dense.Forward(x);
        Assert.Equal(new[] { b, t, u }, y.ShapeArray);
        for (int s = 0; s < t; s++)
        {
            var xs = Tensor.Zeros(b, f);
            for (int i = 0; i < b; i++)
                for (int k = 0; k < f; k++) xs[i, k] = x[i, s, k];
            var ys = dense.Forward(xs);
            for (int i = 0; i < b; i++)
                for (int j = 0; j < u; j++) Assert.Equal(ys[i, j], y[i, s, j], 6);
        }
    }

    [Theory]
    [InlineData(Activation.Linear, 2)]
    [InlineData(Activation.Relu, 2)]
    [InlineData(Activation.Tanh, 2)]
    [InlineData(Activation.Sigmoid, 2)]
    [InlineData(Activation.Softmax, 2)]
    [InlineData(Activation.Linear, 3)]
    [InlineData(Activation.Relu, 3)]
    [InlineData(Activation.Tanh, 3)]
    [InlineData(Activation.Sigmoid, 3)]
    [InlineData(Activation.Softmax, 3)]
    public void Gradients_match_finite_differences(Activation activation, int rank)
    {
        const int f = 5, u = 4;
        var dense = Built(f, u, activation, seed: 21);
        var shape = rank == 2 ? new[] { 3, f } : new[] { 2, 3, f };
        var x = GradientCheck.RandomTensor(new SeededRandom(22), 1.5f, shape);
        LayerGradientCheck.Check(dense, x);
    }

    [Fact]
    public void Gradients_without_bias_match_finite_differences()
    {
        var dense = Built(3, 2, Activation.Sigmoid, useBias: false);
        LayerGradientCheck.Check(dense, GradientCheck.RandomTensor(new SeededRandom(2), 1f, 4, 3));
    }

    [Fact]
    public void Backward_accumulates_parameter_gradients()
    {
        var dense = Built(3, 2, Activation.Linear);
        var x = GradientCheck.RandomTensor(new SeededRandom(4), 1f, 2, 3);
        var dy = GradientCheck.RandomTensor(new SeededRandom(6), 1f, 2, 2);
        using (dense.RecordCalls())
        {
            dense.Forward(x);
            dense.Forward(x); // two recorded calls (shared weights): each back-propagated once
        }
        dense.Backward(dy);
        var once = dense.Weight!.Grad.ToArray();
        dense.Backward(dy);
        var twice = dense.Weight.Grad.ToArray();
        Assert.Throws<InvalidOperationException>(() => dense.Backward(dy)); // every call is back-propagated
        dense.Forward(x);
        dense.Forward(x); // not recorded: the second call replaces the first
        dense.Backward(dy);
        Assert.Throws<InvalidOperationException>(() => dense.Backward(dy));
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], twice[i], 5);
        Assert.Contains(once, g => g != 0f);
    }

    [Fact]
    public void Mask_passes_through_for_3d_input_and_is_dropped_for_2d()
    {
        var dense = new Dense(2);
        var mask = SequenceMask.FromLengths(new[] { 2, 1 }, 3);
        Assert.Same(mask, dense.ComputeMask(Tensor.Zeros(2, 3, 4), mask));
        Assert.Null(dense.ComputeMask(Tensor.Zeros(2, 4), mask));
    }

    [Fact]
    public void Output_shape_replaces_the_feature_axis()
    {
        var dense = new Dense(7);
        Assert.Equal(new[] { 7 }, dense.ComputeOutputShape(new[] { 3 }));
        Assert.Equal(new[] { -1, 7 }, dense.ComputeOutputShape(new[] { -1, 3 }));
    }

    [Fact]
    public void A_3d_layer_accepts_any_number_of_steps()
    {
        var dense = new Dense(2);
        dense.Forward(Tensor.Zeros(1, 3, 4));
        Assert.Equal(new[] { 1, 5, 2 }, dense.Forward(Tensor.Zeros(1, 5, 4)).ShapeArray);
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_the_shapes_in_the_message()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(0));
        var dense = new Dense(2);
        dense.Forward(Tensor.Zeros(2, 4));
        var ex = Assert.Throws<ArgumentException>(() => dense.Forward(Tensor.Zeros(2, 5)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("4", ex.Message);
        Assert.Contains("(2, 5)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => dense.Forward(Tensor.Zeros(4)));
        Assert.Contains("rank", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => dense.Backward(Tensor.Zeros(2, 3)));
        Assert.Equal("gradOutput", ex.ParamName);
        Assert.Throws<InvalidOperationException>(() => new Dense(2).Backward(Tensor.Zeros(2, 2)));
    }
}
