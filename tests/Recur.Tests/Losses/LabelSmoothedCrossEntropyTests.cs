using Recur.Layers;
using Recur.Losses;
using Recur.Tests.Testing;

namespace Recur.Tests.Losses;

public class LabelSmoothedCrossEntropyTests
{
    [Fact]
    public void Value_is_the_cross_entropy_against_the_smoothed_target_and_the_gradient_matches()
    {
        const float eps = 0.1f;
        var logits = Tensor.FromArray([1.5f, -0.5f, 0.25f, 2f, 0f, -3f, 0.5f, 0.5f, 1f, 4f, -1f, 0f], 3, 4);
        var target = Tensor.FromArray([3f, 0f, 1f], 3);
        var loss = new LabelSmoothedCrossEntropy(eps);
        var result = loss.Compute(logits, target);
        // The definition: mean over rows of −Σ_j q_j log softmax(x)_j with q = 0.9·onehot + 0.1/4.
        double expected = 0;
        for (int r = 0; r < 3; r++)
        {
            var row = logits.ToArray().AsSpan(r * 4, 4).ToArray();
            double lse = Math.Log(row.Sum(v => Math.Exp(v)));
            for (int j = 0; j < 4; j++) expected -= ((j == (int)target[r] ? 1 - eps : 0) + eps / 4) * (row[j] - lse);
        }
        Assert.Equal(expected / 3, result.Value, 5);
        GradientCheck.Check("logits", logits.Data, result.Gradient.Span, () => loss.Compute(logits, target).Value, eps: 1e-3f, atol: 1e-4, rtol: 1e-3);
        // Smoothing 0 is the plain sparse cross-entropy.
        Assert.Equal(Loss.SparseCategoricalCrossEntropy().Compute(logits, target).Value, new LabelSmoothedCrossEntropy(0f).Compute(logits, target).Value, 9);
    }

    [Fact]
    public void Masked_steps_are_left_out_and_bad_settings_are_named()
    {
        var logits = Tensor.Zeros(1, 2, 3);
        logits[0, 1, 0] = 100f;
        var target = Tensor.FromArray([1f, 2f], 1, 2);
        var masked = new LabelSmoothedCrossEntropy(0.2f).Compute(logits, target, SequenceMask.FromLengths([1], 2));
        Assert.Equal(Math.Log(3), masked.Value, 6); // uniform logits: every smoothed target costs log C
        Assert.All(masked.Gradient.ToArray()[3..], g => Assert.Equal(0f, g));
        Assert.Throws<ArgumentOutOfRangeException>("epsilon", () => new LabelSmoothedCrossEntropy(1f));
        Assert.Throws<ArgumentOutOfRangeException>("epsilon", () => new LabelSmoothedCrossEntropy(-0.1f));
    }
}
