using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;
using Recur.Tests.Layers.Recurrent;
using static Recur.Tests.Serialization.Import.ImportFixtures;

namespace Recur.Tests.Serialization.Import;

/// <summary>
/// PyTorch state_dicts (tests/fixtures/import/*.safetensors) loaded into the equivalent Recur
/// models must reproduce PyTorch's outputs; files that do not fit must be refused with a message
/// that says why, before any weight changes.
/// </summary>
public class PyTorchImportTests
{
    [Theory]
    [InlineData("embedding_lstm")]
    [InlineData("gru_rnn")]
    [InlineData("rnn_bare")]
    public void Imported_model_predicts_what_pytorch_predicted(string name)
        => AssertImportReproducesOutput(name, model => model.ImportPyTorch(Path(name + ".safetensors"), name == "gru_rnn" ? GruRnnPrefixes : null));

    [Fact]
    public void Parameters_equal_the_file_tensors_converted_to_float32()
    {
        var (model, inputShape) = Create("rnn_bare"); // weights F64, biases F16 in the file
        var file = SafeTensorsFile.Read(Path("rnn_bare.safetensors"));
        Assert.Equal("F64", file.DtypeOf("weight_ih_l0"));
        Assert.Equal("F16", file.DtypeOf("bias_hh_l1"));

        model.ImportPyTorch(file, inputShape: inputShape);

        foreach (var p in model.Parameters)
            Assert.True(file.Get(p.Name).Span.SequenceEqual(p.Value.Span), p.Name);
    }

    [Fact]
    public void Bf16_and_f16_tensors_widen_exactly()
    {
        // nn.Linear(2, 1) with weight [1.5, -0.25] as BF16 and bias [3] as F16, written by hand.
        byte[] data = { 0xC0, 0x3F, 0x80, 0xBE, 0x00, 0x42 }; // bf16 1.5 = 0x3FC0, bf16 −0.25 = 0xBE80, f16 3 = 0x4200
        string header = "{" + SafeTensorsBytes.Entry("fc.weight", "BF16", "[1,2]", 0, 4) + "," + SafeTensorsBytes.Entry("fc.bias", "F16", "[1]", 4, 6) + "}";
        var file = SafeTensorsFile.Read(SafeTensorsBytes.Build(header.PadRight(header.Length + (8 - header.Length % 8) % 8), data), "linear");
        var model = new Sequential(new Dense(1, name: "fc"));

        model.ImportPyTorch(file, inputShape: new[] { 2 });

        Assert.Equal(new[] { 1.5f, -0.25f }, model.Layers[0].GetParameter("weight").Value.ToArray());
        Assert.Equal(new[] { 3f }, model.Layers[0].GetParameter("bias").Value.ToArray());
    }

    [Fact]
    public void Wrapped_layers_take_their_inner_layer_names_in_both_formats()
    {
        Sequential Make() => new(new Embedding(11, 5, paddingIndex: 0, name: "embedding"),
            new Bidirectional(new Lstm(6, returnSequences: true, numLayers: 2, name: "lstm")),
            new TimeDistributed(new Dense(3, name: "head")));
        var fromTorch = Make();
        var fromKeras = Make();

        fromTorch.ImportPyTorch(Path("embedding_lstm.safetensors"), inputShape: new[] { -1 });
        fromKeras.ImportKeras(Path("embedding_lstm.npz"), inputShape: new[] { -1 });

        TorchParityTests.AssertClose("from PyTorch", Output("embedding_lstm"), fromTorch.Predict(Input("embedding_lstm")));
        TorchParityTests.AssertClose("from Keras", Output("embedding_lstm"), fromKeras.Predict(Input("embedding_lstm")));
    }

    [Fact]
    public void Layer_level_load_takes_one_module_of_a_larger_file()
    {
        var file = SafeTensorsFile.Read(Path("gru_rnn.safetensors"));
        var gru = new Gru(5, numLayers: 2, bidirectional: true);
        gru.Build(new[] { -1, 4 });

        PyTorchImport.Load(gru, file, "encoder.gru"); // strict: only encoder.gru's own tensors count

        foreach (var p in gru.Parameters)
            Assert.True(file.Get("encoder.gru." + p.Name).Span.SequenceEqual(p.Value.Span), p.Name);
    }

    [Fact]
    public void Layer_level_load_with_empty_prefix_reports_other_tensors_unless_not_strict()
    {
        // A parity fixture: bare LSTM parameters next to input, output, gradients…
        var file = SafeTensorsFile.Read(System.IO.Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", "lstm_l2_bi_b3_t5_i4_h6.safetensors"));
        var lstm = new Lstm(6, numLayers: 2, bidirectional: true);
        lstm.Build(new[] { -1, 4 });
        var before = lstm.Parameters.Select(p => p.Value.ToArray()).ToList();

        var e = Assert.Throws<WeightImportException>(() => PyTorchImport.Load(lstm, file, ""));
        Assert.Contains("no layer takes", e.Message);
        Assert.Contains("'input' (3, 5, 4)", e.Message);
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i], lstm.Parameters[i].Value.ToArray());

        PyTorchImport.Load(lstm, file, "", strict: false);
        foreach (var p in lstm.Parameters) Assert.True(file.Get(p.Name).Span.SequenceEqual(p.Value.Span), p.Name);
    }

    // ------------------------------------------------------------------ errors

    /// <summary>Imports into <paramref name="model"/> expecting failure; checks no weight changed and returns the message.</summary>
    private static string Refused(Model model, string path, IReadOnlyDictionary<string, string>? prefixes = null, int[]? inputShape = null)
    {
        model.Build(inputShape ?? new[] { -1 });
        var before = Snapshot(model);
        var e = Assert.Throws<WeightImportException>(() => model.ImportPyTorch(path, prefixes));
        AssertUnchanged(before, model);
        Assert.Equal(path, e.SourceName);
        Assert.StartsWith(path + ": cannot import PyTorch weights into model", e.Message);
        return e.Message;
    }

    /// <summary>The embedding_lstm state_dict, changed by <paramref name="edit"/>, written to a temporary file.</summary>
    private static string EditedFile(TempDirectory dir, Action<List<KeyValuePair<string, Tensor>>> edit)
    {
        var file = SafeTensorsFile.Read(Path("embedding_lstm.safetensors"));
        var tensors = file.Names.Select(n => KeyValuePair.Create(n, file.Get(n))).ToList();
        edit(tensors);
        string path = dir.File("edited.safetensors");
        SafeTensorsWriter.Write(path, tensors);
        return path;
    }

    [Fact]
    public void Missing_tensor_is_named_with_what_the_module_has()
    {
        using var dir = new TempDirectory();
        string path = EditedFile(dir, t => t.RemoveAll(kv => kv.Key == "lstm.weight_hh_l1_reverse"));

        string message = Refused(EmbeddingLstm(), path);

        Assert.Contains("layer 'lstm' (Lstm, prefix 'lstm') needs 'lstm.weight_hh_l1_reverse', which the file does not have", message);
        Assert.Contains("under 'lstm' it has 'lstm.weight_ih_l0' (24, 5)", message);
    }

    [Fact]
    public void Hidden_size_mismatch_names_both_shapes_and_the_hidden_size()
    {
        string message = Refused(EmbeddingLstm(hidden: 7), Path("embedding_lstm.safetensors"));

        Assert.Contains("tensor 'lstm.weight_ih_l0' has shape (24, 5) but parameter 'weight_ih_l0' is (28, 5): the hidden size differs (file 6, layer 7)", message);
        Assert.Contains("tensor 'lstm.weight_hh_l0' has shape (24, 6) but parameter 'weight_hh_l0' is (28, 7)", message);
        Assert.Contains("tensor 'head.weight' has shape (3, 12) but parameter 'weight' is (3, 14): the input features (in_features) differs (file 12, layer 14)", message);
    }

    [Fact]
    public void Input_size_mismatch_is_named()
    {
        string message = Refused(EmbeddingLstm(embedding: 4), Path("embedding_lstm.safetensors"));

        Assert.Contains("tensor 'embedding.weight' has shape (11, 5) but parameter 'weight' is (11, 4): the embedding size (embedding_dim) differs (file 5, layer 4)", message);
        Assert.Contains("tensor 'lstm.weight_ih_l0' has shape (24, 5) but parameter 'weight_ih_l0' is (24, 4): the input size differs (file 5, layer 4)", message);
    }

    [Fact]
    public void Fewer_layers_than_the_file_is_reported_as_num_layers()
    {
        string message = Refused(EmbeddingLstm(numLayers: 1), Path("embedding_lstm.safetensors"));

        Assert.Contains("the file has 8 tensor(s) no layer takes: 'lstm.weight_ih_l1' (24, 12)", message);
        Assert.Contains("the file's module has num_layers = 2, layer 'lstm' has NumLayers = 1", message);
    }

    [Fact]
    public void Missing_direction_is_reported_as_bidirectional()
    {
        string message = Refused(EmbeddingLstm(bidirectional: false), Path("embedding_lstm.safetensors"));

        Assert.Contains("tensor 'lstm.weight_ih_l1' has shape (24, 12) but parameter 'weight_ih_l1' is (24, 6): stacked layer 1 takes 2H = 12 inputs in the file: its module is bidirectional", message);
        Assert.Contains("'lstm.weight_ih_l0_reverse' (24, 5)", message);
        Assert.Contains("the file's module is bidirectional, layer 'lstm' is not", message);
    }

    [Fact]
    public void Wrong_cell_type_is_told_from_the_gate_rows()
    {
        var model = new Sequential(new Embedding(11, 5, name: "embedding"),
            new Gru(6, returnSequences: true, numLayers: 2, bidirectional: true, name: "lstm"), new Dense(3, name: "head"));

        string message = Refused(model, Path("embedding_lstm.safetensors"));

        Assert.Contains("tensor 'lstm.weight_ih_l0' has shape (24, 5) but parameter 'weight_ih_l0' is (18, 5): 24 rows = 4·H is the shape of an nn.LSTM: the cell type differs", message);
    }

    [Fact]
    public void Extra_tensor_is_an_error_unless_not_strict()
    {
        using var dir = new TempDirectory();
        string path = EditedFile(dir, t => t.Add(KeyValuePair.Create("attention.weight", Tensor.Zeros(2, 3))));

        string message = Refused(EmbeddingLstm(), path);
        Assert.Contains("the file has 1 tensor(s) no layer takes: 'attention.weight' (2, 3) (no layer is mapped to module 'attention')", message);
        Assert.Contains("strict: false", message);

        var model = EmbeddingLstm();
        model.ImportPyTorch(path, strict: false, inputShape: new[] { -1 });
        TorchParityTests.AssertClose("output", Output("embedding_lstm"), model.Predict(Input("embedding_lstm")));
    }

    [Fact]
    public void Wrong_prefix_lists_the_modules_in_the_file()
    {
        string message = Refused(GruRnn(), Path("gru_rnn.safetensors"),
            new Dictionary<string, string> { ["gru"] = "encoder.gru", ["rnn"] = "decoder.rnn" }, new[] { -1, 4 });

        Assert.Contains("layer 'rnn' (SimpleRnn, prefix 'decoder.rnn') needs 'decoder.rnn.weight_ih_l0'", message);
        Assert.Contains("it has nothing under 'decoder.rnn'; its modules are 'encoder.gru', 'encoder.rnn', 'decoder'", message);
        Assert.Contains("prefixes[\"rnn\"] = \"<module>\"", message);
        Assert.Contains("'encoder.rnn.weight_ih_l0' (3, 10)", message); // left unused
    }

    [Fact]
    public void Default_prefixes_fail_for_nested_modules_and_say_so()
    {
        string message = Refused(GruRnn(), Path("gru_rnn.safetensors"), inputShape: new[] { -1, 4 });

        Assert.Contains("layer 'bidirectional_gru' (Bidirectional, prefix 'gru') needs 'gru.weight_ih_l0'", message);
        Assert.Contains("no layer is mapped to module 'encoder.gru'", message);
    }

    [Fact]
    public void Prefix_for_an_unknown_layer_is_an_error()
    {
        var prefixes = new Dictionary<string, string>(GruRnnPrefixes) { ["encoder"] = "encoder" };

        string message = Refused(GruRnn(), Path("gru_rnn.safetensors"), prefixes, new[] { -1, 4 });

        Assert.Contains("prefixes names layer 'encoder', but the model has no layer with weights called that; its layers with weights are: 'bidirectional_gru', 'rnn', 'decoder'", message);
    }

    [Fact]
    public void Gru_in_the_cho_form_is_refused_for_pytorch_weights()
    {
        var model = new Sequential(new Bidirectional(new Gru(5, returnSequences: true, numLayers: 2, resetAfter: false, name: "gru")),
            new SimpleRnn(3, returnSequences: true, name: "rnn"), new Dense(2, name: "decoder"));

        string message = Refused(model, Path("gru_rnn.safetensors"), GruRnnPrefixes, new[] { -1, 4 });

        Assert.Contains("is a Gru with resetAfter: false", message);
    }

    [Fact]
    public void Two_layers_taking_the_same_tensors_is_an_error()
    {
        var model = new Sequential(new Dense(4, name: "a"), new Dense(4, name: "b"));
        model.Build(4);
        var file = SafeTensorsFile.Read(SafeTensorsWriter.ToBytes(new Dictionary<string, Tensor>
        {
            ["fc.weight"] = Tensor.Zeros(4, 4), ["fc.bias"] = Tensor.Zeros(4),
        }), "two");
        var before = Snapshot(model);

        var e = Assert.Throws<WeightImportException>(() => model.ImportPyTorch(file, new Dictionary<string, string> { ["a"] = "fc", ["b"] = "fc" }));

        Assert.Contains("layer 'b' (Dense, prefix 'fc') and layer 'a' both take tensor 'fc.weight'", e.Message);
        AssertUnchanged(before, model);
    }

    [Fact]
    public void Unconvertible_dtype_is_named()
    {
        string header = "{" + SafeTensorsBytes.Entry("fc.weight", "I32", "[1,2]", 0, 8) + "}";
        var file = SafeTensorsFile.Read(SafeTensorsBytes.Build(header, new byte[8]), "ints");
        var model = new Sequential(new Dense(1, useBias: false, name: "fc"));
        model.Build(2);

        var e = Assert.Throws<WeightImportException>(() => model.ImportPyTorch(file));

        Assert.Contains("tensor 'fc.weight' has dtype I32; Recur converts only F32, F64, F16, BF16", e.Message);
    }

    [Fact]
    public void Unbuilt_model_without_input_shape_is_refused()
    {
        var model = EmbeddingLstm();

        var e = Assert.Throws<InvalidOperationException>(() => model.ImportPyTorch(Path("embedding_lstm.safetensors")));

        Assert.Contains("is not built", e.Message);
        Assert.Contains("inputShape", e.Message);
        Assert.False(model.IsBuilt);
    }
}
