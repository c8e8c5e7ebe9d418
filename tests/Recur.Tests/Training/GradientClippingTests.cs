using Recur.Layers;
using Recur.Training;

namespace Recur.Tests.Training;

public class GradientClippingTests
{
    private static Parameter WithGrad(string name, params float[] grad)
    {
        var p = new Parameter(name, Tensor.Zeros(grad.Length));
        grad.CopyTo(p.Grad.Span);
        return p;
    }

    [Fact]
    public void Global_norm_matches_pytorch_clip_grad_norm()
    {
        // a.grad = [[3, -4], [1, 2]]; b.grad = [0.5, -12]
        // n = torch.nn.utils.clip_grad_norm_([a, b], 5.0)
        var a = WithGrad("a", 3f, -4f, 1f, 2f);
        var b = WithGrad("b", 0.5f, -12f);
        float norm = GradientClipping.ClipByGlobalNorm(new[] { a, b }, 5f);
        Assert.Equal(13.20037841796875f, norm);
        float[] expectedA = { 1.1363308429718018f, -1.5151078701019287f, 0.3787769675254822f, 0.7575539350509644f };
        float[] expectedB = { 0.1893884837627411f, -4.545323371887207f };
        Assert.Equal(expectedA, a.Grad.ToArray()); // bit for bit
        Assert.Equal(expectedB, b.Grad.ToArray());
    }

    [Fact]
    public void Global_norm_is_computed_over_all_trainable_parameters_and_scales_them_together()
    {
        var r = new SeededRandom(3);
        var ps = Enumerable.Range(0, 4).Select(i => WithGrad($"p{i}", Enumerable.Range(0, 7).Select(_ => r.Uniform(-3f, 3f)).ToArray())).ToArray();
        var before = ps.Select(p => p.Grad.ToArray()).ToArray();
        double expectedNorm = Math.Sqrt(before.SelectMany(g => g).Sum(v => (double)v * v));
        const float maxNorm = 2f;

        float norm = GradientClipping.ClipByGlobalNorm(ps, maxNorm);

        Assert.Equal(expectedNorm, norm, 4);
        double coefficient = maxNorm / (expectedNorm + 1e-6);
        for (int k = 0; k < ps.Length; k++)
            for (int i = 0; i < 7; i++) Assert.Equal(before[k][i] * coefficient, ps[k].Grad.Span[i], 5);
        double after = Math.Sqrt(ps.SelectMany(p => p.Grad.ToArray()).Sum(v => (double)v * v));
        Assert.Equal(maxNorm, after, 4);
    }

    [Fact]
    public void Gradients_below_the_limit_are_untouched()
    {
        var p = WithGrad("w", 0.3f, -0.4f);
        Assert.Equal(0.5f, GradientClipping.ClipByGlobalNorm(new[] { p }, 1f), 6);
        Assert.Equal(new[] { 0.3f, -0.4f }, p.Grad.ToArray());
    }

    [Fact]
    public void Frozen_parameters_neither_count_nor_change()
    {
        var live = WithGrad("live", 3f, 4f);
        var frozen = WithGrad("frozen", 100f, float.NaN);
        frozen.Trainable = false;
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm(new[] { live, frozen }, 1f), 5);
        Assert.Equal(100f, frozen.Grad.Span[0]);
        GradientClipping.ClipByValue(new[] { live, frozen }, 0.5f);
        Assert.Equal(100f, frozen.Grad.Span[0]);
    }

    [Fact]
    public void Non_finite_gradients_name_the_parameters_and_modify_nothing()
    {
        var good = WithGrad("weight", 10f, 10f);
        var bad = WithGrad("bias", 1f, float.PositiveInfinity);
        var ex = Assert.Throws<NonFiniteGradientException>(() => GradientClipping.ClipByGlobalNorm(new[] { good, bad }, 1f));
        Assert.Equal(new[] { "bias" }, ex.ParameterNames);
        Assert.Equal(new[] { 1 }, ex.ParameterIndices);
        Assert.Contains("parameters[1] 'bias'", ex.Message);
        Assert.Equal(new[] { 10f, 10f }, good.Grad.ToArray());

        ex = Assert.Throws<NonFiniteGradientException>(() => GradientClipping.ClipByValue(new[] { good, bad }, 1f));
        Assert.Equal(new[] { "bias" }, ex.ParameterNames);
        Assert.Equal(new[] { 10f, 10f }, good.Grad.ToArray());
        Assert.Equal(float.PositiveInfinity, bad.Grad.Span[1]);
    }

    [Fact]
    public void Finite_gradients_too_large_for_a_float_norm_are_still_clipped()
    {
        var p = WithGrad("w", 3e38f, 3e38f, -3e38f);
        float norm = GradientClipping.ClipByGlobalNorm(new[] { p }, 1f);
        Assert.Equal(float.PositiveInfinity, norm);
        double after = Math.Sqrt(p.Grad.ToArray().Sum(v => (double)v * v));
        Assert.Equal(1.0, after, 5);
    }

    [Fact]
    public void Clip_by_value_clamps_each_element()
    {
        var p = WithGrad("w", -3f, -0.5f, 0f, 0.7f, 9f);
        GradientClipping.ClipByValue(new[] { p }, 1f);
        Assert.Equal(new[] { -1f, -0.5f, 0f, 0.7f, 1f }, p.Grad.ToArray());
    }

    [Fact]
    public void Limits_are_validated()
    {
        var ps = new[] { WithGrad("w", 1f) };
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(ps, 0f)).ParamName);
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(ps, float.NaN)).ParamName);
        Assert.Equal("clipValue", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(ps, -1f)).ParamName);
    }

    [Fact]
    public void Messages_name_the_limit_and_each_bad_parameter_with_its_count_and_first_value()
    {
        var ps = new[] { WithGrad("w", 1f) };
        var norm = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(ps, -2f));
        Assert.StartsWith("maxNorm must be positive and finite; got -2.", norm.Message, StringComparison.Ordinal);
        Assert.Equal(-2f, norm.ActualValue);
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(ps, float.PositiveInfinity)).ParamName);
        var value = Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(ps, -1f));
        Assert.StartsWith("clipValue must be a finite value ≥ 0; got -1.", value.Message, StringComparison.Ordinal);
        Assert.Equal("clipValue", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(ps, float.PositiveInfinity)).ParamName);

        var a = WithGrad("a", float.NaN, 1f, float.NegativeInfinity);
        var ok = WithGrad("ok", 1f);
        var b = WithGrad("b", 2f, float.NaN);
        var ex = Assert.Throws<NonFiniteGradientException>(() => GradientClipping.ClipByValue(new[] { a, ok, b }, 1f));
        Assert.Equal(new[] { 0, 2 }, ex.ParameterIndices);
        Assert.Equal(new[] { "a", "b" }, ex.ParameterNames);
        Assert.Equal("ClipByValue: gradients must be finite; nothing was changed. " +
                     "parameters[0] 'a' (3,): 2 non-finite value(s), first NaN at flat index 0; " +
                     "parameters[2] 'b' (2,): 1 non-finite value(s), first NaN at flat index 1.", ex.Message);
    }

    [Fact]
    public void A_null_list_is_refused_by_name()
    {
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => GradientClipping.ClipByGlobalNorm(null!, 1f)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => GradientClipping.ClipByValue(null!, 1f)).ParamName);
    }

    [Fact]
    public void A_clip_value_of_zero_zeroes_every_trainable_gradient()
    {
        var p = WithGrad("w", -3f, 0.5f, 2f);
        GradientClipping.ClipByValue(new[] { p }, 0f);
        Assert.Equal(new[] { 0f, 0f, 0f }, p.Grad.ToArray());
    }
}
