using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// <see cref="StepCell"/>'s names (its own, its wrapped layer's, or the factory's default), the
/// per-sample shapes it refuses, building itself on its first step, and a config whose wrapped
/// layer is not recurrent.
/// </summary>
public sealed class StepCellNamesAndRefusalsTests
{
    [Fact]
    public void The_factories_name_their_cells_unless_given_a_name()
    {
        Assert.Equal("lstm_cell", StepCell.Lstm(3).Name);
        Assert.Equal("gru_cell", StepCell.Gru(3).Name);
        Assert.Equal("simple_rnn_cell", StepCell.SimpleRnn(3).Name);
        Assert.Equal("enc", StepCell.Lstm(3, "enc").Name);
        Assert.Equal("enc", StepCell.Gru(3, name: "enc").Name);
        Assert.Equal("enc", StepCell.SimpleRnn(3, "enc").Name);
    }

    [Fact]
    public void A_cell_wrapping_a_layer_takes_the_layer_name_unless_given_one()
    {
        Assert.Equal("decoder", new StepCell(new Lstm(3, returnSequences: true, name: "decoder")).Name);
        Assert.Equal("step", new StepCell(new Lstm(3, returnSequences: true, name: "decoder"), "step").Name);
    }

    [Fact]
    public void A_null_layer_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentNullException>(() => new StepCell(null!));
        Assert.Equal("layer", e.ParamName);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 2, 3 })]
    public void Per_sample_shapes_other_than_a_positive_feature_count_are_refused(int[] shape)
    {
        var cell = StepCell.Gru(4);
        var e = Assert.Throws<ArgumentException>(() => cell.ComputeOutputShape(shape));
        Assert.Equal("inputShape", e.ParamName);
        Assert.Contains("takes per-sample inputs (features)", e.Message);
        e = Assert.Throws<ArgumentException>(() => cell.Build(shape));
        Assert.Equal("inputShape", e.ParamName);
        Assert.False(cell.IsBuilt);
    }

    [Fact]
    public void A_null_shape_is_refused_by_name()
    {
        var e = Assert.Throws<ArgumentNullException>(() => StepCell.Lstm(4).ComputeOutputShape(null!));
        Assert.Equal("inputShape", e.ParamName);
    }

    [Fact]
    public void The_output_shape_is_the_state_width()
        => Assert.Equal(new[] { 4 }, StepCell.Lstm(4).ComputeOutputShape([3]));

    [Fact]
    public void An_input_that_is_not_batch_by_features_is_refused_with_the_layout()
    {
        var cell = StepCell.SimpleRnn(4);
        var e = Assert.Throws<ArgumentException>(() => cell.Step(Tensor.Zeros(2, 1, 3)));
        Assert.Equal("input", e.ParamName);
        Assert.Contains("expected rank 2 (batch, features)", e.Message);
    }

    [Fact]
    public void The_first_step_builds_an_unbuilt_cell_for_its_features_as_building_it_does()
    {
        var x = GradientCheck.RandomTensor(new SeededRandom(1), 1f, 2, 3);
        var built = StepCell.Lstm(4);
        built.Build([3]);
        var expected = built.Step(x).Output.ToArray();

        var cell = StepCell.Lstm(4);
        var first = cell.Step(x).Output.ToArray();
        Assert.True(cell.IsBuilt);
        Assert.Equal(new[] { 3 }, cell.BuiltInputShape);
        Assert.Equal(expected, first);
        Assert.Equal(expected, cell.Step(x).Output.ToArray()); // and a second step does not build again

        var inferred = StepCell.Gru(4);
        inferred.Infer(x, null);
        Assert.True(inferred.IsBuilt);
        Assert.Equal(new[] { 3 }, inferred.BuiltInputShape);
    }

    [Fact]
    public void A_config_wrapping_a_layer_that_is_not_recurrent_is_refused_with_the_cell_name()
    {
        var description = LayerRegistry.Describe(StepCell.Lstm(4, "stepper"));
        description["config"]!["layer"] = LayerRegistry.Describe(new Dense(3));
        var e = Assert.Throws<InvalidDataException>(() => LayerRegistry.Create(description));
        Assert.Equal("Layer 'stepper': a step cell wraps a recurrent layer.", e.Message);
    }

    [Fact]
    public void A_config_round_trip_keeps_the_name_and_the_wrapped_layer()
    {
        var cell = StepCell.Gru(4, resetAfter: false, name: "g");
        var copy = Assert.IsType<StepCell>(LayerRegistry.Create(JsonNode.Parse(LayerRegistry.Describe(cell).ToJsonString())!.AsObject()));
        Assert.Equal("g", copy.Name);
        Assert.Equal(LayerRegistry.Describe(cell.Inner).ToJsonString(), LayerRegistry.Describe(copy.Inner).ToJsonString());
    }
}
