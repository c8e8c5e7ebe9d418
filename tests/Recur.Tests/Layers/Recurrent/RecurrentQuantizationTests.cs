using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// A recurrent layer's own int8 quantisation (what Model.Quantize calls for each layer): which
/// layers it quantises, that its inference follows the float32 layer within int8 error and keeps
/// the weights of the moment it was quantised, and its refusals (an unbuilt layer, backward).
/// </summary>
public class RecurrentQuantizationTests
{
    private const int Features = 4, Units = 8;

    private static RecurrentLayer Built(string cell, RecurrentOptions options)
    {
        var layer = RecurrentFactory.Create(cell, Units, options);
        layer.Build([-1, Features], new SeededRandom(11));
        return layer;
    }

    private static Tensor Input(int seed) => GradientCheck.RandomTensor(new SeededRandom(seed), 1f, 3, 5, Features);

    [Fact]
    public void An_unbuilt_layer_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new Lstm(3, new RecurrentOptions(), name: "raw").Quantize());
        Assert.Contains("Layer 'raw' is not built yet: build it before quantising it.", e.Message);
    }

    [Fact]
    public void Plain_cells_are_quantised_and_normalised_or_projected_ones_left_in_float32()
    {
        foreach (string cell in RecurrentFactory.Cells)
        {
            var layer = Built(cell, new RecurrentOptions()); // never called: nothing pooled yet
            Assert.True(layer.CanQuantize, cell);
            Assert.False(layer.IsQuantized, cell);
            Assert.True(layer.Quantize(), cell);
            Assert.True(layer.IsQuantized, cell);
        }
        foreach (var options in new[] { new RecurrentOptions { LayerNorm = true }, new RecurrentOptions { ProjectionSize = 3 } })
        {
            var layer = Built("lstm", options);
            Assert.False(layer.CanQuantize);
            Assert.False(layer.Quantize());
            Assert.False(layer.IsQuantized);
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("gru_cho")]
    [InlineData("rnn_tanh")]
    public void Int8_inference_follows_the_float_layer_and_keeps_the_weights_it_was_quantised_from(string cell)
    {
        var layer = Built(cell, new RecurrentOptions { ReturnSequences = true, NumLayers = 2, Bidirectional = true });
        var x = Input(3);
        float[] reference = ((Layer)layer).Infer(x).ToArray(); // float32, and leaves a pooled call state behind
        Assert.True(layer.Quantize());
        float[] int8 = ((Layer)layer).Infer(x).ToArray();
        Assert.Equal(reference.Length, int8.Length);
        double worst = reference.Zip(int8, (a, b) => Math.Abs(a - b)).Max();
        Assert.InRange(worst, 1e-6, 0.05); // int8 error: present, and small

        foreach (var p in layer.Parameters.Where(p => p.Name.StartsWith("weight_", StringComparison.Ordinal)))
            foreach (ref float v in p.Value.Span) v *= 3f; // later changes of the float weights do not reach the int8 ones
        Assert.Equal(int8, ((Layer)layer).Infer(x).ToArray());
    }

    [Fact]
    public void Backward_through_a_quantised_layer_is_refused()
    {
        var layer = Built("lstm", new RecurrentOptions());
        Assert.True(layer.Quantize());
        layer.Forward(Input(1));
        var e = Assert.Throws<InvalidOperationException>(() => layer.Backward(Tensor.Zeros(3, Units)));
        Assert.Contains("is quantised to int8 for inference only and has no backward pass", e.Message);
    }
}
