using Recur.Layers;
using Recur.Losses;

namespace Recur.Tests.Losses;

/// <summary>
/// Every refusal of <see cref="Ctc"/> by the argument's name and its whole message, the checks a
/// model runs before training (<c>AlignTargets</c>), an empty input, and the saved configuration.
/// </summary>
public class CtcValidationTests
{
    private static readonly Tensor Logits = Tensor.Zeros(2, 4, 3);          // (B, T, C)
    private static readonly Tensor Labels = CtcTests.Padded([[1], [2, 1]]); // (B, S) = (2, 2)

    private static ArgumentException Refused(Action action, string argument)
    {
        var e = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(argument, e.ParamName);
        return e;
    }

    private static string Message(ArgumentException e) => e.Message.Split(" (Parameter")[0];

    [Fact]
    public void The_constructor_refuses_a_negative_blank_and_an_unknown_reduction()
    {
        Assert.StartsWith("blank must be a class index ≥ 0.", Refused(() => new Ctc(blank: -1), "blank").Message);
        Assert.StartsWith("reduction must be Mean or Sum.", Refused(() => new Ctc(reduction: (CtcReduction)7), "reduction").Message);
    }

    [Fact]
    public void Null_tensors_are_refused_by_name_on_every_entry_point()
    {
        var ctc = new Ctc();
        Assert.IsType<ArgumentNullException>(Refused(() => ctc.Compute(null!, Labels), "prediction"));
        Assert.IsType<ArgumentNullException>(Refused(() => ctc.Compute(Logits, null!), "target"));
        Assert.IsType<ArgumentNullException>(Refused(() => ctc.ItemLosses(null!, Labels, [4, 4], [1, 2]), "logits"));
        Assert.IsType<ArgumentNullException>(Refused(() => ctc.ItemLosses(Logits, null!, [4, 4], [1, 2]), "targets"));
        Assert.IsType<ArgumentNullException>(Refused(() => ctc.ToProbabilities(null!), "prediction"));
        Assert.IsType<ArgumentNullException>(Refused(() => Ctc.TargetLengths(null!), "target"));
    }

    [Fact]
    public void Shapes_of_logits_targets_and_mask_are_refused_with_the_expected_shape()
    {
        var ctc = new Ctc();
        Assert.Equal("prediction has shape (2, 3); expected (batch, steps, classes) logits.",
            Message(Refused(() => ctc.Compute(Tensor.Zeros(2, 3), Labels), "prediction")));
        Assert.Equal("targets has shape (2,); expected (2, labels) label ids padded with -1.",
            Message(Refused(() => ctc.Compute(Logits, Tensor.FromArray([1f, 2f], 2), [4, 4], [1, 1]), "targets")));
        Assert.Equal("target has shape (2,); expected (2, labels) label ids padded with -1.",
            Message(Refused(() => ctc.Compute(Logits, Tensor.FromArray([1f, 2f], 2)), "target")));
        Assert.Equal("targets has shape (3, 1); expected (2, labels) label ids padded with -1.",
            Message(Refused(() => ctc.Compute(Logits, Tensor.FromArray([1f, 2f, 1f], 3, 1), [4, 4], [1, 1]), "targets")));
        Assert.StartsWith("targets contains NaN at flat index 1",
            Refused(() => ctc.Compute(Logits, Tensor.FromArray([1f, float.NaN, 2f, 1f], 2, 2), [4, 4], [1, 2]), "targets").Message);
        Assert.Equal("mask has shape (2, 5); expected (2, 4) to match the input.",
            Message(Refused(() => ctc.Compute(Logits, Labels, SequenceMask.FromLengths([4, 4], 5)), "mask")));
        Assert.Equal("mask row 0 has a padded step 1 before a real one; CTC reads the real steps of an item as a prefix (pad at the end).",
            Message(Refused(() => ctc.Compute(Logits, Labels, new SequenceMask([true, false, true, true, true, true, true, true], 2, 4)), "mask")));
    }

    [Fact]
    public void Lengths_and_weights_are_refused_with_the_expected_values()
    {
        var ctc = new Ctc();
        Assert.Equal("inputLengths has 1 entries; expected 2, one per item.",
            Message(Refused(() => ctc.Compute(Logits, Labels, [4], [1, 2]), "inputLengths")));
        Assert.Equal("targetLengths[0] is -1; expected a value in [0, 2].",
            Message(Refused(() => ctc.Compute(Logits, Labels, [4, 4], [-1, 2]), "targetLengths")));
        Assert.Equal("sampleWeight has shape (3,); expected (2), one weight per item.",
            Message(Refused(() => ctc.Compute(Logits, Labels, [4, 4], [1, 2], Tensor.Full(1f, 3)), "sampleWeight")));
        Assert.Equal("sampleWeight has shape (2, 1); expected (2), one weight per item.",
            Message(Refused(() => ctc.Compute(Logits, Labels, [4, 4], [1, 2], Tensor.Full(1f, 2, 1)), "sampleWeight")));
        Assert.StartsWith("sampleWeight contains ",
            Refused(() => ctc.Compute(Logits, Labels, [4, 4], [1, 2], Tensor.FromArray([1f, float.PositiveInfinity], 2)), "sampleWeight").Message);
        Assert.Equal("sampleWeight[1] is -1; expected a weight ≥ 0.",
            Message(Refused(() => ctc.Compute(Logits, Labels, [4, 4], [1, 2], Tensor.FromArray([1f, -1f], 2)), "sampleWeight")));
    }

    [Fact]
    public void A_label_after_the_padding_is_refused_whatever_its_value_even_zero()
    {
        Assert.Equal("target[0, 2] is 2 after padding at [0, 1]; expected the labels first, then only negative padding.",
            Message(Refused(() => Ctc.TargetLengths(Tensor.FromArray([1f, -1f, 2f], 1, 3)), "target")));
        Assert.StartsWith("target[1, 2] is 2 after padding at [1, 1]",
            Refused(() => Ctc.TargetLengths(Tensor.FromArray([1f, -1f, -1f, 1f, -1f, 2f], 2, 3)), "target").Message);
        Assert.StartsWith("y[0, 2] is 0 after padding at [0, 1]",
            Refused(() => Ctc.TargetLengths(Tensor.FromArray([1f, -1f, 0f], 1, 3), "y"), "y").Message);
        Assert.Equal("y has shape (3,); expected rank 2 (batch, labels) padded with -1.",
            Message(Refused(() => Ctc.TargetLengths(Tensor.FromArray([1f, -1f, 0f], 3), "y"), "y")));
        Assert.Equal([1, 0, 3], Ctc.TargetLengths(Tensor.FromArray([2f, -1f, -1f, -1f, -1f, -1f, 1f, 2f, 1f], 3, 3)));
    }

    [Fact]
    public void Before_training_the_model_output_blank_targets_and_input_lengths_are_checked()
    {
        var ctc = new Ctc();
        Assert.Equal("the model outputs (N, 4, 3, 2); CTC expects (N, T, classes): a recurrent layer with returnSequences and a Dense per step.",
            Message(Refused(() => ctc.AlignTargets(Labels, [4, 3, 2], "y"), "y")));
        Assert.Equal("blank is 3 but the model outputs 3 classes; expected a blank in [0, 3).",
            Message(Refused(() => new Ctc(blank: 3).AlignTargets(Labels, [4, 3], "y"), "y")));
        Assert.Equal("y has shape (2,); expected (2, labels) label ids padded with -1.",
            Message(Refused(() => ctc.AlignTargets(Tensor.FromArray([1f, 2f], 2), [4, 3], "y"), "y")));
        Assert.Equal("y[1, 1] is 0; expected a label id in [0, 3) other than the blank 0.",
            Message(Refused(() => ctc.AlignTargets(CtcTests.Padded([[1], [2, 0]]), [4, 3], "y"), "y")));
        // Without a mask every item has the T = 4 steps of the output; two labels fit.
        Assert.Same(Labels, ctc.AlignTargets(Labels, [4, 3], "y"));
        Assert.Equal("y row 1 has 2 labels but its input has 1 steps: an input shorter than its label has no CTC alignment.",
            Message(Refused(() => ctc.AlignTargets(Labels, [4, 3], "y", SequenceMask.FromLengths([4, 1], 4)), "y")));
        // A mask of other steps than the output's is not this output's: the output's T is read.
        Assert.Same(Labels, ctc.AlignTargets(Labels, [4, 3], "y", SequenceMask.FromLengths([1, 1], 6)));
    }

    [Fact]
    public void An_empty_input_with_an_empty_label_costs_nothing()
    {
        var ctc = new Ctc(reduction: CtcReduction.Sum);
        var labels = Tensor.Full(-1f, 2, 1);
        Assert.Equal([0.0, 0.0], ctc.ItemLosses(Logits, labels, [0, 0], [0, 0]));
        var result = ctc.Compute(Logits, labels, [0, 0], [0, 0]);
        Assert.Equal(0.0, result.Value);
        Assert.All(result.Gradient.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Softmax_probabilities_and_the_saved_configuration()
    {
        // (1, 2, 3): softmax over the last axis, not the step axis.
        var logits = Tensor.FromArray([0f, 0f, MathF.Log(2f), 1f, 1f, 1f], 1, 2, 3);
        Assert.Equal(new[] { 0.25f, 0.25f, 0.5f, 1 / 3f, 1 / 3f, 1 / 3f }, new Ctc().ToProbabilities(logits).ToArray(), (a, b) => Math.Abs(a - b) < 1e-6f);
        var config = new Ctc(blank: 2, CtcReduction.Sum, zeroInfinity: true).GetConfig()!;
        Assert.Equal(2, config["blank"]!.GetValue<int>());
        Assert.Equal("Sum", config["reduction"]!.GetValue<string>());
        Assert.True(config["zero_infinity"]!.GetValue<bool>());
        Assert.Equal("ctc", new Ctc().Name);
        Assert.True(new Ctc().MaskGivesPredictionLengths);
        Assert.False(Loss.SparseCategoricalCrossEntropy().MaskGivesPredictionLengths);
    }
}
