using Recur.Layers;
using Recur.Losses;

namespace Recur.Tests.Losses;

/// <summary>
/// What a model asks of its loss before training (<c>AlignTargets</c>: targets reshaped as Keras
/// accepts them, refused by name with the expected shape, checked only at real steps) and after
/// it (<c>ToProbabilities</c> for the metrics), and a sample weight of zero.
/// </summary>
public class LossTargetAlignmentTests
{
    [Fact]
    public void Labels_of_a_single_output_gain_their_axis_and_class_ids_lose_theirs()
    {
        // (N) labels for an output of one value per sample become (N, 1).
        var mse = Loss.MeanSquaredError().AlignTargets(Tensor.FromArray([1f, 2f, 3f], 3), [1], "y");
        Assert.Equal([3, 1], mse.ShapeArray);
        Assert.Equal([1f, 2f, 3f], mse.ToArray());
        // (N, 1) class ids for an output of C = 4 classes become (N).
        var sce = Loss.SparseCategoricalCrossEntropy().AlignTargets(Tensor.FromArray([0f, 3f], 2, 1), [4], "y");
        Assert.Equal([2], sce.ShapeArray);
        // Already the expected shape: the same tensor comes back.
        var exact = Tensor.FromArray([0f, 3f], 2);
        Assert.Same(exact, Loss.SparseCategoricalCrossEntropy().AlignTargets(exact, [4], "y"));
        // Per-step class ids (N, T) of a (N, T, C) output keep their shape.
        Assert.Equal([2, 3], Loss.SparseCategoricalCrossEntropy().AlignTargets(Tensor.Zeros(2, 3), [3, 5], "y").ShapeArray);
    }

    [Fact]
    public void Targets_of_another_shape_are_refused_by_the_argument_name_with_the_expected_shape()
    {
        // Six labels for an output of 3 values per sample: 6 × 3 expected, nothing to reshape.
        var e = Assert.Throws<ArgumentException>(() => Loss.MeanSquaredError().AlignTargets(Tensor.Zeros(6), [3], "labels"));
        Assert.Equal("labels", e.ParamName);
        Assert.Equal("labels has shape (6,); the model outputs (N, 3), so mean_squared_error expects targets (6, 3).", e.Message.Split(" (Parameter")[0]);
        var classes = Assert.Throws<ArgumentException>(() => Loss.SparseCategoricalCrossEntropy().AlignTargets(Tensor.Zeros(2, 4), [5], "y"));
        Assert.Contains("expects targets (2,)", classes.Message);
        var steps = Assert.Throws<ArgumentException>(() => Loss.MeanSquaredError().AlignTargets(Tensor.Zeros(2, 3), [3, 2], "y"));
        Assert.Equal("y has shape (2, 3); the model outputs (N, 3, 2), so mean_squared_error expects targets (2, 3, 2).", steps.Message.Split(" (Parameter")[0]);
    }

    [Fact]
    public void A_mask_of_other_steps_than_the_targets_is_not_read()
    {
        // (N) targets of a single-output model trained with a (N, T) input mask: nothing to mask.
        var target = Tensor.FromArray([1f, 2f], 2, 1);
        Assert.Same(target, Loss.MeanSquaredError().AlignTargets(target, [1], "y", SequenceMask.FromLengths([3, 1], 4)));
    }

    /// <summary>A loss without a class axis that records the class count its target check is given.</summary>
    private sealed class RecordingLoss : Loss
    {
        public List<int> Classes { get; } = [];
        public override string Name => "recording";
        protected override double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient) => 0;
        protected override string? TargetProblem(float target, int classes)
        {
            Classes.Add(classes);
            return null;
        }
    }

    [Fact]
    public void A_loss_without_a_class_axis_checks_its_targets_with_one_class()
    {
        var loss = new RecordingLoss();
        loss.AlignTargets(Tensor.Zeros(2, 3), [3], "y");
        Assert.Equal([1, 1, 1, 1, 1, 1], loss.Classes);
    }

    [Fact]
    public void A_target_outside_the_domain_is_named_by_the_argument_and_its_index()
    {
        var e = Assert.Throws<ArgumentException>(() => Loss.SparseCategoricalCrossEntropy().AlignTargets(Tensor.FromArray([1f, 4f], 2), [4], "y"));
        Assert.Equal("y", e.ParamName);
        Assert.StartsWith("y[1] is 4; expected an integer class id in [0, 4) for sparse_categorical_crossentropy.", e.Message);
        var probability = Assert.Throws<ArgumentException>(() => Loss.BinaryCrossEntropy().AlignTargets(Tensor.FromArray([0f, 1.5f], 2, 1), [1], "y"));
        Assert.StartsWith("y[1, 0] is 1.5; expected a value in [0, 1]", probability.Message);
    }

    [Fact]
    public void Padded_steps_of_a_masked_output_are_not_checked_and_real_ones_are()
    {
        // (2, 3) per-step ids of 3 classes; the mask pads the last step of sample 0 and the last two of sample 1.
        var mask = new SequenceMask([true, true, false, true, false, false], 2, 3);
        var target = Tensor.FromArray([0f, 2f, -1f, 1f, -1f, 99f], 2, 3);
        Assert.Same(target, Loss.SparseCategoricalCrossEntropy().AlignTargets(target, [3, 3], "y", mask));
        Assert.Throws<ArgumentException>(() => Loss.SparseCategoricalCrossEntropy().AlignTargets(target, [3, 3], "y"));
        var realBad = Tensor.FromArray([0f, 2f, 0f, 7f, 0f, 0f], 2, 3);
        Assert.StartsWith("y[1, 0] is 7", Assert.Throws<ArgumentException>(() => Loss.SparseCategoricalCrossEntropy().AlignTargets(realBad, [3, 3], "y", mask)).Message);
    }

    [Fact]
    public void Metrics_read_probabilities_from_logits_and_the_predictions_themselves_otherwise()
    {
        var logits = Tensor.FromArray([0f, MathF.Log(3f), -2f, 2f], 2, 2);
        var sigmoid = Loss.BinaryCrossEntropy(fromLogits: true).ToProbabilities(logits).ToArray();
        Assert.Equal(new[] { 0.5f, 0.75f, 1 / (1 + MathF.Exp(2f)), 1 / (1 + MathF.Exp(-2f)) }, sigmoid, (a, b) => Math.Abs(a - b) < 1e-6f);
        var softmax = Loss.SparseCategoricalCrossEntropy(fromLogits: true).ToProbabilities(logits).ToArray();
        Assert.Equal(new[] { 0.25f, 0.75f, 1 / (1 + MathF.Exp(4f)), 1 / (1 + MathF.Exp(-4f)) }, softmax, (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Equal([0f, MathF.Log(3f), -2f, 2f], logits.ToArray()); // the logits are not changed in place
        foreach (var loss in new[] { Loss.BinaryCrossEntropy(), Loss.SparseCategoricalCrossEntropy(fromLogits: false), Loss.MeanSquaredError() })
            Assert.Same(logits, loss.ToProbabilities(logits));
    }

    [Fact]
    public void A_sample_of_weight_zero_contributes_nothing_even_when_its_prediction_is_not_finite()
    {
        var prediction = Tensor.FromArray([float.NaN, 2f, 3f], 3);
        var result = Loss.MeanSquaredError().Compute(prediction, Tensor.FromArray([0f, 1f, 1f], 3), sampleWeight: Tensor.FromArray([0f, 1f, 2f], 3));
        Assert.Equal((1.0 * 1 + 2.0 * 4) / 3, result.Value, 12);
        Assert.Equal([0f, 2f * 1 / 3, 2f * 2 * 2 / 3], result.Gradient.ToArray());
    }
}
