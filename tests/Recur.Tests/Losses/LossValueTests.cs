using Recur.Layers;
using Recur.Losses;

namespace Recur.Tests.Losses;

/// <summary>Known values: by hand, or from PyTorch 1.13 with the snippet quoted beside them.</summary>
public class LossValueTests
{
    private static Tensor T(float[] values, params int[] shape) => Tensor.FromArray(values, shape);

    private static void AssertClose(float[] expected, Tensor actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual.Span[i]) <= tolerance, $"[{i}] expected {expected[i]}, got {actual.Span[i]}");
    }

    [Fact]
    public void Mse_and_mae_by_hand()
    {
        var p = T(new[] { 1f, 2f, 3f, 4f }, 2, 2);
        var y = T(new[] { 0f, 2f, 5f, 3f }, 2, 2);
        // d = (1, 0, −2, 1): MSE = (1 + 0 + 4 + 1)/4, dMSE/dp = 2d/4; MAE = (1 + 0 + 2 + 1)/4, dMAE/dp = sign(d)/4.
        var mse = Loss.MeanSquaredError().Compute(p, y);
        Assert.Equal(1.5, mse.Value, 12);
        AssertClose(new[] { 0.5f, 0f, -1f, 0.5f }, mse.Gradient);
        var mae = Loss.MeanAbsoluteError().Compute(p, y);
        Assert.Equal(1.0, mae.Value, 12);
        AssertClose(new[] { 0.25f, 0f, -0.25f, 0.25f }, mae.Gradient);
    }

    [Fact]
    public void Mask_and_sample_weight_follow_keras_sum_over_batch_size()
    {
        // (B, T, F) = (2, 3, 2); sample 0 has 3 real steps, sample 1 has 1.
        var p = Tensor.Zeros(2, 3, 2);
        var y = Tensor.Zeros(2, 3, 2);
        for (int i = 0; i < p.Length; i++) { p.Span[i] = i * 0.5f; y.Span[i] = 1f; }
        var mask = SequenceMask.FromLengths(new[] { 3, 1 }, 3);
        var sw = T(new[] { 2f, 0.5f }, 2);
        double sum = 0;
        int count = 0;
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 3; t++)
                for (int f = 0; f < 2; f++)
                {
                    if (!mask[b, t]) continue;
                    double d = p[b, t, f] - 1.0;
                    sum += sw[b] * d * d;
                    count++;
                }
        Assert.Equal(8, count); // the mean is over the 8 real elements, not over Σ weights
        var result = Loss.MeanSquaredError().Compute(p, y, mask, sw);
        Assert.Equal(sum / count, result.Value, 10);
        Assert.Equal(2 * 0.5 * (p[1, 0, 1] - 1.0) / count, result.Gradient[1, 0, 1], 6);
        Assert.Equal(0f, result.Gradient[1, 1, 0]);
    }

    [Fact]
    public void Fully_masked_batch_gives_zero_loss_and_gradient()
    {
        var mask = SequenceMask.FromLengths(new[] { 0, 0 }, 2);
        var r = Loss.SparseCategoricalCrossEntropy().Compute(Tensor.Full(1f, 2, 2, 3), Tensor.Zeros(2, 2), mask);
        Assert.Equal(0.0, r.Value);
        Assert.All(r.Gradient.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Bce_from_logits_matches_pytorch()
    {
        // x = torch.tensor([[-2.0, 0.5], [3.0, -0.1]], requires_grad=True); y = torch.tensor([[0.0, 1.0], [1.0, 0.3]])
        // l = F.binary_cross_entropy_with_logits(x, y); l.backward()
        var r = Loss.BinaryCrossEntropy(fromLogits: true).Compute(T(new[] { -2f, 0.5f, 3f, -0.1f }, 2, 2), T(new[] { 0f, 1f, 1f, 0.3f }, 2, 2));
        Assert.Equal(0.3309972286224365, r.Value, 6);
        AssertClose(new[] { 0.02980072982609272f, -0.09438516199588776f, -0.01185646653175354f, 0.043755196034908295f }, r.Gradient);
    }

    [Fact]
    public void Bce_from_probabilities_matches_pytorch()
    {
        // p = torch.tensor([[0.1, 0.8], [0.6, 0.35]], requires_grad=True); same y; l = F.binary_cross_entropy(p, y)
        var r = Loss.BinaryCrossEntropy().Compute(T(new[] { 0.1f, 0.8f, 0.6f, 0.35f }, 2, 2), T(new[] { 0f, 1f, 1f, 0.3f }, 2, 2));
        Assert.Equal(0.363956093788147, r.Value, 6);
        AssertClose(new[] { 0.2777777910232544f, -0.3125f, -0.4166666567325592f, 0.05494503676891327f }, r.Gradient);
    }

    [Fact]
    public void Bce_from_probabilities_clips_like_keras()
    {
        // p = 0 with y = 1: −log(ε), and no gradient through the active clip.
        var r = Loss.BinaryCrossEntropy().Compute(T(new[] { 0f }, 1), T(new[] { 1f }, 1));
        Assert.Equal(-Math.Log(1e-7), r.Value, 9);
        Assert.Equal(0f, r.Gradient.Span[0]);
    }

    [Fact]
    public void Sparse_cce_from_logits_with_mask_matches_pytorch()
    {
        // logits (2, 3, 4), t = [[2, 0, 1], [3, 1, 0]], mask = lengths [3, 1]
        // l = F.cross_entropy(logits[mask], t[mask]); l.backward()
        var logits = T(new[]
        {
            1.0f, -0.5f, 2.0f, 0.1f, 0.3f, 0.3f, -1.0f, 2.5f, -2.0f, 1.0f, 0.0f, 0.5f,
            0.7f, 0.2f, -0.3f, 1.1f, 9.0f, 9.0f, 9.0f, 9.0f, 5.0f, -5.0f, 0.0f, 1.0f,
        }, 2, 3, 4);
        var target = T(new[] { 2f, 0f, 1f, 3f, 7.5f, -1f }, 2, 3); // padding holds junk: masked, so ignored
        var r = Loss.SparseCategoricalCrossEntropy().Compute(logits, target, SequenceMask.FromLengths(new[] { 3, 1 }, 3));
        Assert.Equal(1.1106348037719727, r.Value, 6);
        AssertClose(new[]
        {
            0.057497940957546234f, 0.012829524464905262f, -0.09370438754558563f, 0.02337692305445671f,
            -0.22787129878997803f, 0.02212870493531227f, 0.006030774209648371f, 0.19971182942390442f,
            0.006148990243673325f, -0.12649424374103546f, 0.04543522745370865f, 0.07491002976894379f,
            0.07212436199188232f, 0.04374563694000244f, 0.026533067226409912f, -0.14240309596061707f,
            0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f,
        }, r.Gradient);
    }

    [Fact]
    public void Huber_matches_pytorch()
    {
        // pr = torch.tensor([[0.5, 1.0, 4.0], [-2.0, 0.2, 0.0]]); F.huber_loss(pr, zeros, delta=1.5)
        var r = Loss.Huber(1.5f).Compute(T(new[] { 0.5f, 1f, 4f, -2f, 0.2f, 0f }, 2, 3), Tensor.Zeros(2, 3));
        Assert.Equal(1.2324999570846558, r.Value, 6);
        AssertClose(new[] { 0.0833333358168602f, 0.1666666716337204f, 0.25f, -0.25f, 0.03333333507180214f, 0f }, r.Gradient);
    }

    [Theory]
    [InlineData(100f, 1f, 0.0, 0f)]
    [InlineData(100f, 0f, 100.0, 1f)]
    [InlineData(-100f, 1f, 100.0, -1f)]
    [InlineData(-100f, 0f, 0.0, 0f)]
    public void Bce_from_logits_is_stable_at_large_logits(float logit, float label, double value, float gradient)
    {
        var r = Loss.BinaryCrossEntropy(fromLogits: true).Compute(T(new[] { logit }, 1), T(new[] { label }, 1));
        Assert.Equal(value, r.Value, 9);
        Assert.Equal(gradient, r.Gradient.Span[0], 6);
    }

    [Fact]
    public void Sparse_cce_from_logits_is_stable_at_large_logits()
    {
        var logits = T(new[] { 100f, -100f, 0f, 100f, -100f, 0f }, 2, 3);
        var r = Loss.SparseCategoricalCrossEntropy().Compute(logits, T(new[] { 0f, 1f }, 2));
        // Row 0: ≈ log(1 + e^−100 + e^−200) ≈ 0; row 1: 100 − (−100) = 200. Mean 100.
        Assert.Equal(100.0, r.Value, 9);
        Assert.All(r.Gradient.ToArray(), g => Assert.True(float.IsFinite(g)));
        Assert.Equal(0.5f, r.Gradient[1, 0], 6);   // softmax ≈ 1 at class 0
        Assert.Equal(-0.5f, r.Gradient[1, 1], 6);  // 0 − 1, over 2 rows
    }

    [Fact]
    public void Names_follow_keras()
    {
        Assert.Equal("mean_squared_error", Loss.MeanSquaredError().Name);
        Assert.Equal("mean_absolute_error", Loss.MeanAbsoluteError().Name);
        Assert.Equal("huber", Loss.Huber().Name);
        Assert.Equal("binary_crossentropy", Loss.BinaryCrossEntropy().Name);
        Assert.Equal("sparse_categorical_crossentropy", Loss.SparseCategoricalCrossEntropy().Name);
    }
}
