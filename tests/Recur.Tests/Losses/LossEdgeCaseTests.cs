using Recur.Layers;
using Recur.Losses;

namespace Recur.Tests.Losses;

/// <summary>
/// The cases mutation testing found no test for: Huber away from a zero target, probabilities at
/// the clip bounds, an empty class axis on (B, T, C), an empty batch with a mask or weights, a
/// sample weight of the wrong rank, and the messages of the refusals.
/// </summary>
public class LossEdgeCaseTests
{
    [Fact]
    public void Huber_measures_the_difference_from_targets_that_are_not_zero()
    {
        // d = p − y = 2, 0.25, −4 with δ = 1: δ(|d| − δ/2) = 1.5, d²/2 = 0.03125, 3.5.
        var result = Loss.Huber(1f).Compute(Tensor.FromArray([3f, 0.5f, -2f], 3), Tensor.FromArray([1f, 0.25f, 2f], 3));
        Assert.Equal((1.5 + 0.03125 + 3.5) / 3, result.Value, 12);
        Assert.Equal([1f / 3, 0.25f / 3, -1f / 3], result.Gradient.ToArray());
    }

    [Fact]
    public void A_probability_of_exactly_one_is_clipped_below_one()
    {
        // Clipped to 1 − ε: the loss of a wrong certain answer is −ln ε, not infinite, and a right one costs −ln(1 − ε) > 0.
        var wrong = Loss.BinaryCrossEntropy().Compute(Tensor.FromArray([1f], 1), Tensor.FromArray([0f], 1));
        Assert.Equal(-Math.Log(Loss.ProbabilityEpsilon), wrong.Value, 6);
        var right = Loss.SparseCategoricalCrossEntropy(fromLogits: false).Compute(Tensor.FromArray([0f, 1f], 1, 2), Tensor.FromArray([1f], 1));
        Assert.Equal(-Math.Log(1 - Loss.ProbabilityEpsilon), right.Value, 15);
        Assert.True(right.Value > 0);
    }

    [Fact]
    public void An_empty_class_axis_is_refused_for_step_predictions_too()
    {
        var e = Assert.Throws<ArgumentException>(() => Loss.SparseCategoricalCrossEntropy().Compute(Tensor.Zeros(2, 3, 0), Tensor.Zeros(2, 3)));
        Assert.Equal("prediction", e.ParamName);
        Assert.Contains("(2, 3, 0)", e.Message);
        Assert.Contains("classes > 0", e.Message);
    }

    [Fact]
    public void An_empty_batch_with_a_mask_or_weights_has_loss_zero()
    {
        var loss = Loss.MeanSquaredError();
        var masked = loss.Compute(Tensor.Zeros(0, 3), Tensor.Zeros(0, 3), new SequenceMask([], 0, 3));
        Assert.Equal(0.0, masked.Value);
        var weighted = loss.Compute(Tensor.Zeros(0, 3), Tensor.Zeros(0, 3), sampleWeight: Tensor.Zeros(0));
        Assert.Equal(0.0, weighted.Value);
        Assert.Equal([0, 3], weighted.Gradient.ShapeArray);
    }

    [Fact]
    public void A_sample_weight_of_rank_three_is_refused_naming_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Loss.MeanSquaredError().Compute(Tensor.Zeros(2, 3, 1), Tensor.Zeros(2, 3, 1), sampleWeight: Tensor.Zeros(2, 3, 1)));
        Assert.Equal("sampleWeight", e.ParamName);
        Assert.Contains("(2, 3, 1)", e.Message);
        Assert.Contains("expected (batch) or (batch, steps)", e.Message);
    }

    [Fact]
    public void Null_arguments_and_a_bad_delta_are_refused_by_name()
    {
        Assert.Equal("prediction", Assert.Throws<ArgumentNullException>(() => Loss.MeanSquaredError().Compute(null!, Tensor.Zeros(1))).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentNullException>(() => Loss.MeanSquaredError().Compute(Tensor.Zeros(1), null!)).ParamName);
        var delta = Assert.Throws<ArgumentOutOfRangeException>(() => Loss.Huber(0f));
        Assert.Equal("delta", delta.ParamName);
        Assert.Contains("positive and finite", delta.Message);
    }
}
