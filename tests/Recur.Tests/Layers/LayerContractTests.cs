using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers;

/// <summary>
/// What every layer promises beside its numerics, checked on the small layers directly: inference
/// entry points, parameter look-up, freezing, the wrappers' inner layers and streams, the config that
/// recreates a layer, and the refusals of shapes with the layer and the shapes named.
/// </summary>
public class LayerContractTests
{
    /// <summary>A layer's description as a model file gives it back: written as text and parsed.</summary>
    private static JsonObject AsRead(Layer layer) => (JsonObject)JsonNode.Parse(LayerRegistry.Describe(layer).ToJsonString())!;

    [Fact]
    public void Dropout_infers_a_copy_builds_on_first_use_and_keeps_its_seed_and_rate_in_its_config()
    {
        var dropout = new Dropout(0.4f, seed: 9, name: "drop");
        var x = GradientCheck.RandomTensor(new SeededRandom(1), 1f, 2, 3);
        var y = dropout.Infer(x);
        Assert.True(dropout.IsBuilt);
        Assert.Equal(x.ToArray(), y.ToArray());
        y.Span[0] = 42; // a copy, not the input
        Assert.NotEqual(42, x.Span[0]);
        Assert.Equal(new[] { 5, 7 }, dropout.ComputeOutputShape([5, 7]));
        Assert.Equal(9ul, dropout.DropSeed);
        Assert.Null(new Dropout(0.1f).DropSeed);
        Assert.Single(dropout.RandomStreams);
        Assert.Empty(new Dropout(0.1f).RandomStreams); // before it is built
        var scalar = Assert.Throws<ArgumentException>(() => new Dropout(0.5f).Infer(Tensor.Zeros([])));
        Assert.Equal("input", scalar.ParamName);
        Assert.Contains("input has shape (); expected (batch, …)", scalar.Message);
        Assert.Throws<ArgumentException>(() => new Dropout(0.5f).Forward(Tensor.Zeros([]), training: true));
        var copy = Assert.IsType<Dropout>(LayerRegistry.Create(AsRead(dropout)));
        Assert.Equal((0.4f, "drop"), (copy.Rate, copy.Name));
    }

    [Fact]
    public void Dense_refuses_inputs_of_another_width_or_rank_and_unknown_activations()
    {
        var dense = new Dense(3, name: "head");
        dense.Build([4], new SeededRandom(1));
        var width = Assert.Throws<ArgumentException>(() => dense.ComputeOutputShape([6, 5]));
        Assert.Equal("inputShape", width.ParamName);
        Assert.Contains("'head' expects 4 input features; the input shape (6, 5) has 5", width.Message);
        Assert.Throws<ArgumentException>(() => dense.Forward(Tensor.Zeros(2, 5)));
        var rank = Assert.Throws<ArgumentException>(() => new Dense(3, name: "d").ComputeOutputShape([2, 3, 4]));
        Assert.Contains("'d' takes per-sample shapes (features) or (steps, features) with features > 0; got (2, 3, 4)", rank.Message);
        Assert.Throws<ArgumentException>(() => new Dense(3).ComputeOutputShape([0]));
        Assert.Equal("activation", Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(3, (Activation)99)).ParamName);
        Assert.Equal(new[] { 7, 3 }, dense.ComputeOutputShape([7, 4]));
    }

    [Fact]
    public void Parameters_are_found_by_name_and_freezing_reaches_every_wrapped_weight()
    {
        var dense = new Dense(2, name: "d");
        var unbuilt = Assert.Throws<KeyNotFoundException>(() => dense.GetParameter("kernel"));
        Assert.Contains("'d' has no parameter 'kernel' (it is not built yet)", unbuilt.Message);
        dense.Build([3], new SeededRandom(2));
        var names = string.Join(", ", dense.Parameters.Select(p => p.Name));
        var missing = Assert.Throws<KeyNotFoundException>(() => dense.GetParameter("kernel"));
        Assert.Contains($"'d' has no parameter 'kernel'; it has: {names}.", missing.Message);
        Assert.Same(dense.Parameters[0], dense.GetParameter(dense.Parameters[0].Name));
        Assert.Equal(3 * 2 + 2, dense.ParameterCount);
        Assert.Equal("Dense 'd'", dense.ToString());

        var wrapped = new TimeDistributed(dense);
        wrapped.Trainable = false;
        Assert.All(dense.Parameters, p => Assert.False(p.Trainable));
        Assert.False(wrapped.Trainable);
        Assert.False(dense.Trainable);
        wrapped.Trainable = true;
        Assert.All(dense.Parameters, p => Assert.True(p.Trainable));
        // A layer without weights remembers the setting.
        var masking = new Masking();
        masking.Trainable = false;
        Assert.False(masking.Trainable);
    }

    [Fact]
    public void Bidirectional_is_its_recurrent_layer_run_both_ways()
    {
        var inner = new Lstm(3, new RecurrentOptions { Bidirectional = true, NumLayers = 2, Dropout = 0.2f, ReturnSequences = true }, name: "both");
        var wrapper = new Bidirectional(new Lstm(3, new RecurrentOptions { NumLayers = 2, Dropout = 0.2f, ReturnSequences = true }, name: "both"));
        var x = GradientCheck.RandomTensor(new SeededRandom(3), 1f, 2, 4, 2);
        inner.Build([4, 2], new SeededRandom(4));
        wrapper.Build([4, 2], new SeededRandom(4));
        Assert.Equal([wrapper.Inner], wrapper.InnerLayers);
        Assert.Single(wrapper.RandomStreams);
        Assert.Equal(inner.Forward(x, training: true).ToArray(), wrapper.Forward(x, training: true).ToArray());
        var dy = GradientCheck.RandomTensor(new SeededRandom(5), 1f, 2, 4, 6);
        Assert.Equal(inner.Backward(dy).ToArray(), wrapper.Backward(dy).ToArray());
        Assert.Equal(inner.Parameters.SelectMany(p => p.Grad.ToArray()), wrapper.Parameters.SelectMany(p => p.Grad.ToArray()));
    }

    [Fact]
    public void Masking_passes_the_gradient_of_real_steps_only_and_recreates_from_its_config()
    {
        var masking = new Masking(-1f, name: "pad");
        var x = Tensor.FromArray([1f, 2f, -1f, -1f, 3f, -1f], 1, 3, 2); // step 1 is padding
        masking.Forward(x);
        var dx = masking.Backward(Tensor.FromArray([1f, 1f, 1f, 1f, 1f, 1f], 1, 3, 2));
        Assert.Equal([1f, 1f, 0f, 0f, 1f, 1f], dx.ToArray());
        masking.Forward(Tensor.FromArray([1f, 2f], 1, 1, 2)); // nothing to mask: the gradient passes as is
        Assert.Equal([4f, 5f], masking.Backward(Tensor.FromArray([4f, 5f], 1, 1, 2)).ToArray());
        var copy = Assert.IsType<Masking>(LayerRegistry.Create(AsRead(masking)));
        Assert.Equal((-1f, "pad"), (copy.MaskValue, copy.Name));
        var rank = Assert.Throws<ArgumentException>(() => new Masking(name: "m").ComputeOutputShape([4]));
        Assert.Equal("inputShape", rank.ParamName);
        Assert.Contains("'m' needs inputs (batch, time, features); got per-sample shape (4)", rank.Message);
    }

    [Fact]
    public void A_mask_goes_to_a_tensor_and_back_and_refuses_flags_that_do_not_fit()
    {
        var mask = SequenceMask.FromTensor(Tensor.FromArray([1f, 0f, 2f, 0f, 0f, -1f], 2, 3));
        Assert.Equal([true, false, true, false, false, true], mask.Flags.ToArray());
        Assert.Equal([1f, 0f, 1f, 0f, 0f, 1f], mask.ToTensor().ToArray());
        Assert.Equal(new[] { 2, 3 }, mask.ToTensor().ShapeArray);
        Assert.Throws<ArgumentException>(() => SequenceMask.FromTensor(Tensor.Zeros(6)));
        var negative = Assert.Throws<ArgumentException>(() => new SequenceMask([], -1, 0));
        Assert.Contains("non-negative; got (-1, 0)", negative.Message);
        var count = Assert.Throws<ArgumentException>(() => new SequenceMask([true, false, true], 2, 2));
        Assert.Equal("valid", count.ParamName);
        Assert.Contains("Mask of shape (2, 2) needs 4 flags; got 3", count.Message);
    }

    [Fact]
    public void A_step_cell_is_one_step_of_its_layer_and_refuses_sequences()
    {
        var cell = new StepCell(new Gru(3, returnSequences: true, name: "gru"), name: "step");
        cell.Build([2], new SeededRandom(6));
        Assert.Equal(3, cell.Units);
        Assert.Equal(new[] { 3 }, cell.ComputeOutputShape([2]));
        Assert.Equal([cell.Inner], cell.InnerLayers);
        var x = GradientCheck.RandomTensor(new SeededRandom(7), 1f, 4, 2);
        var step = cell.Infer(x);
        Assert.Equal(cell.Forward(x).ToArray(), step.ToArray());
        var sequence = ((Layer)cell.Inner).Infer(x.Reshape(4, 1, 2)).ToArray(); // (4, 1, 3): one step
        Assert.Equal(sequence, step.ToArray());
        Assert.Equal(x.ShapeArray, cell.Backward(Tensor.Full(1f, 4, 3)).ShapeArray);
        var rank = Assert.Throws<ArgumentException>(() => new StepCell(new Gru(3, returnSequences: true), name: "s").Build([5, 2], new SeededRandom(1)));
        Assert.Contains("Step cell 's' takes per-sample inputs (features); got (5, 2)", rank.Message);
        var copy = Assert.IsType<StepCell>(LayerRegistry.Create(AsRead(cell)));
        Assert.Equal(("step", "gru"), (copy.Name, copy.Inner.Name));
    }
}
