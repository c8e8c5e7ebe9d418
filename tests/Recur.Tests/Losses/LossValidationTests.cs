using Recur.Layers;
using Recur.Losses;

namespace Recur.Tests.Losses;

public class LossValidationTests
{
    private static ArgumentException Throws(Action action) => Assert.Throws<ArgumentException>(action);

    [Fact]
    public void Target_shape_mismatch_names_target_and_both_shapes()
    {
        var ex = Throws(() => Loss.MeanSquaredError().Compute(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Equal("target", ex.ParamName);
        Assert.Contains("(3, 2)", ex.Message);
        Assert.Contains("(2, 3)", ex.Message);
        ex = Throws(() => Loss.SparseCategoricalCrossEntropy().Compute(Tensor.Zeros(2, 5, 4), Tensor.Zeros(2, 4)));
        Assert.Equal("target", ex.ParamName);
        Assert.Contains("expected (2, 5)", ex.Message);
        ex = Throws(() => Loss.SparseCategoricalCrossEntropy().Compute(Tensor.Zeros(4), Tensor.Zeros(4)));
        Assert.Equal("prediction", ex.ParamName);
    }

    [Theory]
    [InlineData(3f, "3")]
    [InlineData(-1f, "-1")]
    [InlineData(1.5f, "1.5")]
    [InlineData(float.NaN, "NaN")]
    public void Bad_class_ids_name_position_value_and_range(float label, string shown)
    {
        var ex = Throws(() => Loss.SparseCategoricalCrossEntropy().Compute(Tensor.Zeros(2, 2, 3), Tensor.FromArray(new[] { 0f, 1f, 2f, label }, 2, 2)));
        Assert.Equal("target", ex.ParamName);
        Assert.Contains("target[1, 1]", ex.Message);
        Assert.Contains(shown, ex.Message);
        Assert.Contains("[0, 3)", ex.Message);
    }

    [Fact]
    public void Non_finite_and_out_of_range_targets_are_rejected()
    {
        var ex = Throws(() => Loss.MeanSquaredError().Compute(Tensor.Zeros(3), Tensor.FromArray(new[] { 0f, float.PositiveInfinity, 0f }, 3)));
        Assert.Contains("target[1]", ex.Message);
        Assert.Contains("finite", ex.Message);
        ex = Throws(() => Loss.BinaryCrossEntropy(true).Compute(Tensor.Zeros(2), Tensor.FromArray(new[] { 0f, 1.2f }, 2)));
        Assert.Contains("1.2", ex.Message);
        Assert.Contains("[0, 1]", ex.Message);
    }

    [Fact]
    public void Mask_and_sample_weight_shapes_are_checked()
    {
        var ex = Throws(() => Loss.MeanSquaredError().Compute(Tensor.Zeros(2, 3, 1), Tensor.Zeros(2, 3, 1), SequenceMask.FromLengths(new[] { 1, 2 }, 4)));
        Assert.Equal("mask", ex.ParamName);
        Assert.Contains("(2, 4)", ex.Message);
        ex = Throws(() => Loss.SparseCategoricalCrossEntropy().Compute(Tensor.Zeros(2, 3), Tensor.Zeros(2), SequenceMask.FromLengths(new[] { 1, 2 }, 3)));
        Assert.Equal("mask", ex.ParamName);
        ex = Throws(() => Loss.MeanSquaredError().Compute(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), sampleWeight: Tensor.Zeros(3)));
        Assert.Equal("sampleWeight", ex.ParamName);
        Assert.Contains("(3,)", ex.Message);
        ex = Throws(() => Loss.MeanSquaredError().Compute(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), sampleWeight: Tensor.FromArray(new[] { 1f, float.NaN }, 2)));
        Assert.Equal("sampleWeight", ex.ParamName);
    }

    [Fact]
    public void Huber_delta_must_be_positive()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Loss.Huber(0f));
        Assert.Equal("delta", ex.ParamName);
    }
}
