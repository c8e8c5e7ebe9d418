using Recur.Layers;
using Recur.Losses;

namespace Recur.Tests.Losses;

/// <summary>
/// What a loss saves with a compiled model (<c>GetConfig</c>) and its name, the label-smoothed
/// loss's refusals and probabilities, and a prediction without a batch axis.
/// </summary>
public class LossConfigTests
{
    [Fact]
    public void Each_loss_saves_the_hyper_parameters_that_recreate_it()
    {
        Assert.True(Loss.BinaryCrossEntropy(fromLogits: true).GetConfig()!["from_logits"]!.GetValue<bool>());
        Assert.False(Loss.BinaryCrossEntropy().GetConfig()!["from_logits"]!.GetValue<bool>());
        Assert.False(Loss.SparseCategoricalCrossEntropy(fromLogits: false).GetConfig()!["from_logits"]!.GetValue<bool>());
        Assert.Equal(0.25f, Loss.Huber(0.25f).GetConfig()!["delta"]!.GetValue<float>());
        var smoothed = new LabelSmoothedCrossEntropy(0.1f);
        Assert.Equal(0.1f, smoothed.GetConfig()!["epsilon"]!.GetValue<float>());
        Assert.Equal("label_smoothed_crossentropy", smoothed.Name);
    }

    [Fact]
    public void Label_smoothing_refuses_a_rate_outside_its_range_and_a_class_id_outside_the_classes()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LabelSmoothedCrossEntropy(1f));
        Assert.Equal("epsilon", e.ParamName);
        Assert.StartsWith("The label smoothing must be in [0, 1).", e.Message);
        var loss = new LabelSmoothedCrossEntropy(0.1f);
        foreach (float bad in new[] { -1f, 3f, 1.5f })
            Assert.StartsWith($"target[1] is {bad.ToString(System.Globalization.CultureInfo.InvariantCulture)}; expected an integer class id in [0, 3) for label_smoothed_crossentropy.",
                Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros(2, 3), Tensor.FromArray([0f, bad], 2))).Message);
        Assert.Equal(Math.Log(3), loss.Compute(Tensor.Zeros(2, 3), Tensor.FromArray([0f, 2f], 2)).Value, 12);
    }

    [Fact]
    public void Class_axis_losses_give_softmax_over_the_last_axis_of_a_sequence_output()
    {
        // (1, 2, 3): two steps of three classes; the step axis (2) is not the class axis.
        var logits = Tensor.FromArray([0f, 0f, MathF.Log(2f), 1f, 1f, 1f], 1, 2, 3);
        float[] expected = [0.25f, 0.25f, 0.5f, 1 / 3f, 1 / 3f, 1 / 3f];
        foreach (var loss in new Loss[] { Loss.SparseCategoricalCrossEntropy(fromLogits: true), new LabelSmoothedCrossEntropy(0.1f) })
            Assert.Equal(expected, loss.ToProbabilities(logits).ToArray(), (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Equal("prediction", Assert.Throws<ArgumentNullException>(() => new LabelSmoothedCrossEntropy(0.1f).ToProbabilities(null!)).ParamName);
    }

    [Fact]
    public void A_mask_or_weights_that_do_not_fit_the_target_are_refused_with_both_shapes()
    {
        var prediction = Tensor.Zeros(2, 3);
        var mask = Assert.Throws<ArgumentException>(() => Loss.MeanSquaredError().Compute(prediction, Tensor.Zeros(2, 3), SequenceMask.FromLengths([1, 2], 5)));
        Assert.Equal("mask", mask.ParamName);
        Assert.StartsWith("mask has shape (2, 5); expected (batch, steps) = the first two axes of the target (2, 3).", mask.Message);
        var weight = Assert.Throws<ArgumentException>(() => Loss.MeanSquaredError().Compute(prediction, Tensor.Zeros(2, 3), sampleWeight: Tensor.Zeros(3)));
        Assert.Equal("sampleWeight", weight.ParamName);
        Assert.StartsWith("sampleWeight has shape (3,); expected (batch) or (batch, steps) matching the leading axes of the target (2, 3).", weight.Message);
    }

    [Fact]
    public void A_prediction_without_a_batch_axis_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentException>(() => Loss.MeanSquaredError().Compute(Tensor.Zeros(), Tensor.Zeros()));
        Assert.Equal("prediction", e.ParamName);
        Assert.StartsWith("prediction has shape (); expected (batch, …).", e.Message);
    }
}
