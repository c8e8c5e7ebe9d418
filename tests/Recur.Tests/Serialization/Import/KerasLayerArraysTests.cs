using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Tests.Serialization.Import;

/// <summary>
/// Keras arrays of one layer: the arguments checked, each array's role as a message names it
/// (cell, layer of the stack, direction, gate blocks), the hints a wrong shape gets and does not
/// get, and how many misfits are listed.
/// </summary>
public class KerasLayerArraysTests
{
    private static T Built<T>(T layer, params int[] inputShape) where T : Layer
    {
        layer.Build(inputShape);
        return layer;
    }

    /// <summary>The layer's own Keras arrays with those <paramref name="replace"/> returns a tensor for swapped in.</summary>
    private static Tensor[] Arrays(Layer layer, Func<int, Tensor?> replace)
        => KerasImport.ToKerasArrays(layer).Select((a, k) => replace(k) ?? a).ToArray();

    private static IReadOnlyList<string> Problems(Layer layer, IReadOnlyList<Tensor> arrays)
    {
        var e = Assert.Throws<WeightImportException>(() => KerasImport.Load(layer, arrays));
        Assert.StartsWith($"arrays: cannot import Keras weights into layer '{layer.Name}'", e.Message);
        return e.Problems;
    }

    private static string Problem(Layer layer, int index, Tensor wrong) => Assert.Single(Problems(layer, Arrays(layer, k => k == index ? wrong : null)));

    [Fact]
    public void Arguments_are_checked_by_name_and_an_unbuilt_layer_or_model_is_refused()
    {
        var dense = new Dense(2, name: "fc");
        Assert.Throws<ArgumentNullException>("layer", () => KerasImport.Load(null!, []));
        Assert.Throws<ArgumentNullException>("arrays", () => KerasImport.Load(dense, null!));
        Assert.Throws<ArgumentNullException>("layer", () => KerasImport.ToKerasArrays((Layer)null!));
        Assert.Throws<ArgumentNullException>("model", () => KerasImport.ToKerasArrays((Model)null!));
        Assert.Throws<ArgumentNullException>("layout", () => KerasImport.RegisterLayout<Dense>(null!));
        Assert.Equal("Layer 'fc' is not built: build it for its input shape first.", Assert.Throws<InvalidOperationException>(() => KerasImport.Load(dense, [])).Message);
        Assert.Equal("Model 'm' is not built: build it before exporting weights.",
            Assert.Throws<InvalidOperationException>(() => KerasImport.ToKerasArrays(new Sequential(0UL, "m", new Dense(1)))).Message);
        dense.Build([3]);
        var e = Assert.Throws<ArgumentNullException>("arrays", () => KerasImport.Load(dense, [Tensor.Zeros(3, 2), null!]));
        Assert.StartsWith("arrays[1] is null.", e.Message);
    }

    [Fact]
    public void Each_cell_names_its_arrays_by_cell_stacked_layer_direction_and_gate_blocks()
    {
        var lstm = Built(new Lstm(5, name: "lstm"), -1, 3);
        var gru = Built(new Gru(5, numLayers: 2, bidirectional: true, name: "gru"), -1, 3);
        var rnn = Built(new SimpleRnn(5, name: "rnn"), -1, 3);

        Assert.Equal("arr_0 → layer 'lstm' (Lstm), Keras LSTM 1 of 1 kernel (I, 4H): expected (3, 20), got (3, 21).", Problem(lstm, 0, Tensor.Zeros(3, 21)));
        Assert.Equal("arr_9 → layer 'gru' (Gru), Keras GRU 2 of 2 (backward layer) kernel (I, 3H): expected (10, 15), got (10, 16).", Problem(gru, 9, Tensor.Zeros(10, 16)));
        Assert.Equal("arr_0 → layer 'rnn' (SimpleRnn), Keras SimpleRNN 1 of 1 kernel (I, H): expected (3, 5), got (3, 6).", Problem(rnn, 0, Tensor.Zeros(3, 6)));
    }

    [Fact]
    public void An_embedding_and_a_dense_layer_name_their_arrays_and_a_transposed_kernel_is_spotted()
    {
        var embedding = Built(new Embedding(12, 4, name: "emb"), -1);
        var dense = Built(new Dense(2, name: "fc"), 3);

        Assert.Equal("arr_0 → layer 'emb' (Embedding), Keras Embedding embeddings (V, E): expected (12, 4), got (11, 4).", Problem(embedding, 0, Tensor.Zeros(11, 4)));
        Assert.Equal("arr_0 → layer 'fc' (Dense), Keras Dense kernel (F, U): expected (3, 2), got (2, 3); it looks transposed: Keras kernels are (inputs, units), " +
                     "PyTorch weights (units, inputs) — PyTorch weights go through ImportPyTorch.", Problem(dense, 0, Tensor.Zeros(2, 3)));
        Assert.Equal("arr_0 → layer 'fc' (Dense), Keras Dense kernel (F, U): expected (3, 2), got (2,).", Problem(dense, 0, Tensor.Zeros(2)));
    }

    [Fact]
    public void A_recurrent_kernel_tells_the_units_or_the_cell_type_only_when_its_shape_says_so()
    {
        var lstm = Built(new Lstm(5, name: "lstm"), -1, 3);
        const string Role = "arr_1 → layer 'lstm' (Lstm), Keras LSTM 1 of 1 recurrent_kernel (H, 4H): expected (5, 20)";

        Assert.Equal($"{Role}, got (5, 15); 3 gate blocks of 5 units is not a Keras LSTM (4 blocks): the cell type differs.", Problem(lstm, 1, Tensor.Zeros(5, 15)));
        Assert.Equal($"{Role}, got (6, 24); the Keras layer has 6 units, layer 'lstm' has 5.", Problem(lstm, 1, Tensor.Zeros(6, 24)));
        Assert.Equal($"{Role}, got (6, 20).", Problem(lstm, 1, Tensor.Zeros(6, 20)));
        Assert.Equal($"{Role}, got (0, 20).", Problem(lstm, 1, Tensor.Zeros(0, 20)));
        Assert.Equal($"{Role}, got (20,).", Problem(lstm, 1, Tensor.Zeros(20)));
    }

    [Fact]
    public void A_bias_of_the_other_gru_form_says_which_form_to_build_and_other_biases_get_no_hint()
    {
        var resetAfter = Built(new Gru(5, name: "gru"), -1, 3);
        var cho = Built(new Gru(5, resetAfter: false, name: "cho"), -1, 3);
        var lstm = Built(new Lstm(5, name: "lstm"), -1, 3);

        Assert.Equal("arr_2 → layer 'gru' (Gru), Keras GRU 1 of 1 bias (2, 3H): expected (2, 15), got (15,); " +
                     "a (3H) bias is a GRU with reset_after=False: build the Gru with resetAfter: false.", Problem(resetAfter, 2, Tensor.Zeros(15)));
        Assert.Equal("arr_2 → layer 'gru' (Gru), Keras GRU 1 of 1 bias (2, 3H): expected (2, 15), got (2, 12).", Problem(resetAfter, 2, Tensor.Zeros(2, 12)));
        Assert.Equal("arr_2 → layer 'cho' (Gru), Keras GRU 1 of 1 bias (3H): expected (15,), got (2, 15); " +
                     "a (2, 3H) bias is a GRU with reset_after=True (Keras' default): build the Gru with resetAfter: true.", Problem(cho, 2, Tensor.Zeros(2, 15)));
        Assert.Equal("arr_2 → layer 'lstm' (Lstm), Keras LSTM 1 of 1 bias (4H): expected (20,), got (2, 20).", Problem(lstm, 2, Tensor.Zeros(2, 20)));
    }

    [Fact]
    public void Four_misfits_of_a_layer_are_all_listed_and_a_fifth_is_counted()
    {
        var lstm = Built(new Lstm(5, bidirectional: true, name: "lstm"), -1, 3);

        var four = Problems(lstm, Arrays(lstm, k => k < 4 ? Tensor.Zeros(1) : null));
        var five = Problems(lstm, Arrays(lstm, k => k < 5 ? Tensor.Zeros(1) : null));

        Assert.Equal(4, four.Count);
        Assert.Equal(5, five.Count);
        Assert.Equal("layer 'lstm': 1 more of its arrays do not fit either.", five[^1]);
    }

    [Fact]
    public void Projected_and_layer_normalised_lstms_have_no_keras_layout()
    {
        var projected = Built(new Lstm(4, new RecurrentOptions { ProjectionSize = 2 }, name: "proj"), -1, 3);
        var normalised = Built(new Lstm(4, new RecurrentOptions { LayerNorm = true }, name: "norm"), -1, 3);

        Assert.Equal("Layer 'proj' is a projected LSTM (ProjectionSize 2); Keras has no projected LSTM, so its weights have no Keras layout.",
            Assert.Throws<NotSupportedException>(() => KerasImport.ToKerasArrays(projected)).Message);
        Assert.Equal("Layer 'norm' is layer-normalised (LayerNorm true); Keras' LSTM has no normalisation gains, so its weights have no Keras layout.",
            Assert.Throws<NotSupportedException>(() => KerasImport.ToKerasArrays(normalised)).Message);
    }
}
