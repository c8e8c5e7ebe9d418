using Recur.Layers;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void Inference_is_the_identity()
    {
        var x = GradientCheck.RandomTensor(new SeededRandom(1), 1f, 3, 4, 5);
        var layer = new Dropout(0.5f, seed: 1);
        Assert.Equal(x.ToArray(), layer.Forward(x).ToArray());
        var dy = GradientCheck.RandomTensor(new SeededRandom(2), 1f, 3, 4, 5);
        Assert.Equal(dy.ToArray(), layer.Backward(dy).ToArray());
    }

    [Fact]
    public void Training_zeroes_about_rate_and_scales_the_rest()
    {
        const float rate = 0.3f;
        var x = Tensor.Full(2f, 100, 100);
        var y = new Dropout(rate, seed: 7).Forward(x, training: true).ToArray();
        float kept = 2f / (1f - rate);
        Assert.All(y, v => Assert.True(v == 0f || v == kept, $"unexpected value {v}"));
        double dropped = y.Count(v => v == 0f) / (double)y.Length;
        Assert.InRange(dropped, rate - 0.02, rate + 0.02); // 10 000 draws: σ ≈ 0.005
        Assert.InRange(y.Average(), 2 - 0.05, 2 + 0.05);    // inverted dropout keeps the mean
    }

    [Fact]
    public void A_seed_fixes_the_pattern_and_successive_calls_differ()
    {
        var x = Tensor.Full(1f, 4, 50);
        var a = new Dropout(0.5f, seed: 3);
        var b = new Dropout(0.5f, seed: 3);
        var a1 = a.Forward(x, training: true).ToArray();
        Assert.Equal(a1, b.Forward(x, training: true).ToArray());
        Assert.NotEqual(a1, a.Forward(x, training: true).ToArray());
        Assert.NotEqual(a1, new Dropout(0.5f, seed: 4).Forward(x, training: true).ToArray());
    }

    [Fact]
    public void Without_a_seed_the_build_generator_fixes_the_pattern()
    {
        var x = Tensor.Full(1f, 4, 50);
        float[] Run(int seed)
        {
            var d = new Dropout(0.5f);
            d.Build(new[] { 50 }, new SeededRandom(seed));
            return d.Forward(x, training: true).ToArray();
        }
        Assert.Equal(Run(1), Run(1));
        Assert.NotEqual(Run(1), Run(2));
    }

    [Fact]
    public void Training_gradient_matches_finite_differences_for_a_fixed_seed()
    {
        var x = GradientCheck.RandomTensor(new SeededRandom(5), 1f, 3, 4, 6);
        var r = GradientCheck.RandomWeights(x.Length, 6);
        // A fresh layer with the same seed per evaluation draws the same pattern every time.
        double Loss() => GradientCheck.Dot(new Dropout(0.4f, seed: 9).Forward(x, training: true).Span, r);

        var layer = new Dropout(0.4f, seed: 9);
        layer.Forward(x, training: true);
        var dx = layer.Backward(Tensor.FromArray(r, x.ShapeArray));
        GradientCheck.Check("dropout: d/dinput", x.Data, dx.Span, Loss, eps: 1e-3f);
        Assert.Contains(dx.ToArray(), v => v == 0f); // some elements were dropped
    }

    [Fact]
    public void Mask_passes_through()
    {
        var mask = SequenceMask.FromLengths(new[] { 1, 2 }, 2);
        Assert.Same(mask, new Dropout(0.2f).ComputeMask(Tensor.Zeros(2, 2, 3), mask));
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void Rate_outside_zero_one_is_rejected(float rate)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(rate));
        Assert.Equal("rate", ex.ParamName);
        Assert.Contains("[0, 1)", ex.Message);
    }
}
