using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;
using static Recur.Tests.Serialization.Import.ImportFixtures;

namespace Recur.Tests.Serialization.Import;

/// <summary>
/// Which module each layer is bound to (a lone module without a prefix, a null prefix), the
/// arguments of a layer-level import, and how long lists of problems are cut short.
/// </summary>
public class PyTorchBindingTests
{
    private const string Source = "state_dict";

    private static SafeTensorsFile File(params (string Name, Tensor Value)[] tensors)
        => SafeTensorsFile.Read(SafeTensorsWriter.ToBytes(tensors.Select(t => KeyValuePair.Create(t.Name, t.Value))), Source);

    private static Tensor Filled(float value, params int[] shape) => Tensor.Full(value, shape);

    private static IReadOnlyList<string> Problems(Action import) => Assert.Throws<WeightImportException>(import).Problems;

    [Fact]
    public void A_lone_module_saved_without_a_prefix_loads_into_the_one_layer_with_weights_beside_layers_without()
    {
        var model = new Sequential(new SimpleRnn(4, returnSequences: true, numLayers: 2, activation: RnnActivation.Relu), new Dropout(0.5f));

        model.ImportPyTorch(Path("rnn_bare.safetensors"), inputShape: [-1, 3]);

        var file = SafeTensorsFile.Read(Path("rnn_bare.safetensors"));
        Assert.All(model.Layers[0].Parameters, p => Assert.True(file.Get(p.Name).Span.SequenceEqual(p.Value.Span), p.Name));
    }

    [Fact]
    public void A_null_prefix_means_no_prefix()
    {
        var model = RnnBare();

        model.ImportPyTorch(Path("rnn_bare.safetensors"), new Dictionary<string, string> { [model.Layers[0].Name] = null! }, inputShape: [-1, 3]);

        var file = SafeTensorsFile.Read(Path("rnn_bare.safetensors"));
        Assert.All(model.Layers[0].Parameters, p => Assert.True(file.Get(p.Name).Span.SequenceEqual(p.Value.Span), p.Name));
    }

    [Fact]
    public void A_layer_keeps_its_own_module_when_the_file_also_has_unprefixed_tensors()
    {
        var model = new Sequential(new Dense(1, name: "fc"));
        var file = File(("fc.weight", Filled(1f, 1, 2)), ("fc.bias", Filled(2f, 1)), ("weight", Filled(3f, 1, 2)), ("bias", Filled(4f, 1)));

        model.ImportPyTorch(file, strict: false, inputShape: [2]);

        Assert.Equal([1f, 1f], model.Layers[0].GetParameter("weight").Value.ToArray());
        Assert.Equal([2f], model.Layers[0].GetParameter("bias").Value.ToArray());
    }

    [Fact]
    public void Of_several_layers_none_takes_unprefixed_tensors()
    {
        var model = new Sequential(new Dense(1, name: "fc"), new Dense(1, name: "head"));
        var file = File(("weight", Filled(1f, 1, 2)), ("bias", Filled(2f, 1)), ("head.weight", Filled(3f, 1, 1)), ("head.bias", Filled(4f, 1)));

        var problems = Problems(() => model.ImportPyTorch(file, inputShape: [2]));

        Assert.Equal("layer 'fc' (Dense, prefix 'fc') needs 'fc.weight', 'fc.bias', which the file does not have; it has nothing under 'fc'; " +
                     "its modules are (no prefix), 'head'. Map the layer with prefixes[\"fc\"] = \"<module>\".", problems[0]);
    }

    [Fact]
    public void A_lone_module_missing_a_tensor_is_still_read_without_a_prefix()
    {
        var model = new Sequential(new Dense(1, name: "fc"));
        var file = File(("weight", Filled(1f, 1, 2)));

        var problems = Problems(() => model.ImportPyTorch(file, inputShape: [2]));

        Assert.Equal("layer 'fc' (Dense, prefix '') needs 'bias', which the file does not have; under (no prefix) it has 'weight' (1, 2).", Assert.Single(problems));
    }

    [Fact]
    public void A_layer_level_import_checks_its_arguments_and_names_the_layer()
    {
        var dense = new Dense(1, name: "fc");
        var file = File(("fc.weight", Filled(1f, 1, 2)), ("fc.bias", Filled(2f, 1)));

        Assert.Throws<ArgumentNullException>("layer", () => PyTorchImport.Load(null!, file, "fc"));
        Assert.Throws<ArgumentNullException>("file", () => PyTorchImport.Load(dense, null!, "fc"));
        Assert.Throws<ArgumentNullException>("prefix", () => PyTorchImport.Load(dense, file, null!));
        Assert.Equal("Layer 'fc' is not built: build it for its input shape before importing weights.",
            Assert.Throws<InvalidOperationException>(() => PyTorchImport.Load(dense, file, "fc")).Message);
        dense.Build([3]);
        Assert.StartsWith($"{Source}: cannot import PyTorch weights into layer 'fc': layer 'fc' (Dense, prefix 'fc'): tensor 'fc.weight' has shape (1, 2)",
            Assert.Throws<WeightImportException>(() => PyTorchImport.Load(dense, file, "fc.")).Message);
    }

    [Fact]
    public void A_gru_in_the_cho_form_is_told_how_to_build_it()
    {
        var gru = new Gru(2, resetAfter: false, name: "gru");
        gru.Build([-1, 2]);
        var file = File(gru.Parameters.Select(p => ("m." + p.Name, p.Value)).ToArray());

        var problems = Problems(() => PyTorchImport.Load(gru, file, "m"));

        Assert.Equal("layer 'gru' (Gru, prefix 'm') is a Gru with resetAfter: false; PyTorch's nn.GRU applies the reset gate after the " +
                     "recurrent multiply: build the Gru with resetAfter: true.", Assert.Single(problems));
    }

    [Fact]
    public void A_tensor_two_layers_take_is_reported_once_not_also_as_misshaped()
    {
        var model = new Sequential(new Dense(3, name: "a"), new Dense(2, name: "b"));
        var file = File(("fc.weight", Tensor.Zeros(3, 4)), ("fc.bias", Tensor.Zeros(3)));

        var problems = Problems(() => model.ImportPyTorch(file, new Dictionary<string, string> { ["a"] = "fc", ["b"] = "fc" }, inputShape: [4]));

        Assert.Equal([
            "layer 'b' (Dense, prefix 'fc') and layer 'a' both take tensor 'fc.weight'; map them to different modules with prefixes.",
            "layer 'b' (Dense, prefix 'fc') and layer 'a' both take tensor 'fc.bias'; map them to different modules with prefixes.",
        ], problems);
    }

    [Fact]
    public void Beyond_four_misshaped_tensors_of_a_layer_the_rest_are_counted()
    {
        var model = EmbeddingLstm(hidden: 7);

        var problems = Problems(() => model.ImportPyTorch(Path("embedding_lstm.safetensors"), inputShape: [-1]));

        const string Who = "layer 'lstm' (Lstm, prefix 'lstm')";
        Assert.Equal(4, problems.Count(p => p.StartsWith(Who + ": tensor 'lstm.", StringComparison.Ordinal)));
        Assert.Contains($"{Who}: 12 more of its tensors do not fit either.", problems);
    }

    [Fact]
    public void Four_misshaped_tensors_are_all_listed_without_a_count()
    {
        var lstm = new Lstm(5, name: "rnn");
        lstm.Build([-1, 3]);
        var other = new Lstm(6);
        other.Build([-1, 3]);
        var file = File(other.Parameters.Select(p => ("m." + p.Name, p.Value)).ToArray());

        var problems = Problems(() => PyTorchImport.Load(lstm, file, "m"));

        Assert.Equal(4, problems.Count);
        Assert.All(problems, p => Assert.StartsWith("layer 'rnn' (Lstm, prefix 'm'): tensor 'm.", p));
    }

    [Fact]
    public void Lists_exactly_as_long_as_their_limits_are_shown_whole()
    {
        // The file's LSTM has 2 layers × 2 directions = 16 tensors; the model's has 3 layers, so it misses 8.
        var model = EmbeddingLstm(numLayers: 3);

        var problems = Problems(() => model.ImportPyTorch(Path("embedding_lstm.safetensors"), inputShape: [-1]));

        string needs = Assert.Single(problems);
        Assert.StartsWith("layer 'lstm' (Lstm, prefix 'lstm') needs 'lstm.weight_ih_l2', 'lstm.weight_hh_l2', 'lstm.bias_ih_l2', 'lstm.bias_hh_l2', " +
                          "'lstm.weight_ih_l2_reverse', 'lstm.weight_hh_l2_reverse', 'lstm.bias_ih_l2_reverse', 'lstm.bias_hh_l2_reverse', which the file does not have; under 'lstm' it has ", needs);
        Assert.Matches(@"'lstm\.[a-z_0-9]+' \([0-9, ]+\) \(the file's module has num_layers = 2, layer 'lstm' has NumLayers = 3\)\.$", needs);
        Assert.Equal(16, needs.Split(" it has ")[1].Split("), '").Length);
    }

    [Fact]
    public void A_module_with_nothing_to_say_adds_nothing_beside_one_that_has()
    {
        var model = new Sequential(new Dense(1, name: "fc"));
        var file = File(("fc.weight", Filled(1f, 1, 2)), ("fc.bias", Filled(2f, 1)), ("fc.extra", Tensor.Zeros(1)), ("junk.t0", Tensor.Zeros(1)));

        var problems = Problems(() => model.ImportPyTorch(file, inputShape: [2]));

        Assert.Equal("the file has 2 tensor(s) no layer takes: 'fc.extra' (1,), 'junk.t0' (1,) (no layer is mapped to module 'junk'). " +
                     "Map layers with prefixes, or pass strict: false to ignore them.", Assert.Single(problems));
    }

    [Fact]
    public void Long_lists_of_missing_present_and_unused_tensors_are_cut_short_with_a_count()
    {
        using var dir = new TempDirectory();
        var file = SafeTensorsFile.Read(Path("embedding_lstm.safetensors"));
        var junk = Enumerable.Range(0, 13).Select(i => KeyValuePair.Create($"junk.t{i}", Tensor.Zeros(1)));
        var model = EmbeddingLstm(numLayers: 4);
        var edited = SafeTensorsFile.Read(SafeTensorsWriter.ToBytes(file.Names.Select(n => KeyValuePair.Create(n, file.Get(n)))
            .Append(KeyValuePair.Create("lstm.extra", Tensor.Zeros(1))).Concat(junk)), Source);

        var problems = Problems(() => model.ImportPyTorch(edited, inputShape: [-1]));

        string needs = Assert.Single(problems, p => p.Contains("which the file does not have", StringComparison.Ordinal));
        Assert.StartsWith("layer 'lstm' (Lstm, prefix 'lstm') needs 'lstm.weight_ih_l2', 'lstm.weight_hh_l2', 'lstm.bias_ih_l2', 'lstm.bias_hh_l2', " +
                          "'lstm.weight_ih_l2_reverse', 'lstm.weight_hh_l2_reverse', 'lstm.bias_ih_l2_reverse', 'lstm.bias_hh_l2_reverse', … (8 more), which the file does not have; under 'lstm' it has ", needs);
        Assert.EndsWith(", … (1 more) (the file's module has num_layers = 2, layer 'lstm' has NumLayers = 4).", needs);
        Assert.Equal(16, needs.Split(" it has ")[1].Split("), '").Length);
        Assert.Equal("the file has 14 tensor(s) no layer takes: 'lstm.extra' (1,), " + string.Join(", ", Enumerable.Range(0, 11).Select(i => $"'junk.t{i}' (1,)")) +
                     ", … (2 more) (the file's module has num_layers = 2, layer 'lstm' has NumLayers = 4; no layer is mapped to module 'junk'). " +
                     "Map layers with prefixes, or pass strict: false to ignore them.", problems[^1]);
    }

    [Fact]
    public void Tensors_without_a_module_and_no_layer_for_them_are_shown_as_having_no_prefix()
    {
        var model = new Sequential(new Dense(1, name: "fc"));
        var file = File(("fc.weight", Filled(1f, 1, 2)), ("fc.bias", Filled(2f, 1)), ("stray", Tensor.Zeros(1)));

        var problems = Problems(() => model.ImportPyTorch(file, inputShape: [2]));

        Assert.Equal("the file has 1 tensor(s) no layer takes: 'stray' (1,) (no layer is mapped to module (no prefix)). " +
                     "Map layers with prefixes, or pass strict: false to ignore them.", Assert.Single(problems));
    }
}
