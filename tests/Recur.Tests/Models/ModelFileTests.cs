using System.Text;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Training;

namespace Recur.Tests.Models;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static Sequential Sentiment(ulong seed) => new(seed,
        new Embedding(9, 4, maskZero: true),
        new Bidirectional(new Lstm(5, returnSequences: true), MergeMode.Sum),
        new Gru(4, resetAfter: false),
        new Dropout(0.1f),
        new Dense(1))
    { Output = TextWriter.Null };

    [Fact]
    public void Save_then_load_predicts_exactly_the_same()
    {
        var (x, y, _) = ToyData.PaddedTokens(24, 7, vocab: 9, seed: 1);
        var model = Sentiment(3);
        model.Compile(new Adam(0.01f), Loss.BinaryCrossEntropy(fromLogits: true), Metric.BinaryAccuracy);
        model.Fit(x, y, epochs: 2, batchSize: 8, verbose: Verbosity.Silent);
        string path = PathOf("sentiment.recur");
        model.Save(path);

        var same = Model.Load(path);
        Assert.Equal(model.Predict(x).ToArray(), same.Predict(x).ToArray());
        Assert.Equal(model.Summary(), same.Summary());
        Assert.Equal("binary_accuracy", Assert.Single(same.Metrics).Name);
        Assert.IsType<Adam>(same.Optimizer);
        // A model file is a safetensors file: the weights are readable by name.
        var file = SafeTensorsFile.Read(path);
        Assert.Equal("recur", file.Metadata["format"]);
        Assert.Equal(model.Layers[1].Parameters[0].Value.ToArray(), file.Get("bidirectional_lstm.weight_ih_l0").ToArray());
    }

    [Fact]
    public void Optimizer_state_in_the_file_resumes_training_exactly()
    {
        var (x, y) = ToyData.SignOfSum(32, 5, seed: 2);
        Sequential Fresh() => new(5, new Lstm(4), new Dense(1)) { Output = TextWriter.Null };
        var straight = Fresh();
        straight.Compile(new Adam(0.02f), Loss.BinaryCrossEntropy(fromLogits: true));
        straight.Fit(x, y, epochs: 3, batchSize: 8, shuffle: false, verbose: Verbosity.Silent);

        var first = Fresh();
        first.Compile(new Adam(0.02f), Loss.BinaryCrossEntropy(fromLogits: true));
        first.Fit(x, y, epochs: 2, batchSize: 8, shuffle: false, verbose: Verbosity.Silent);
        first.Save(PathOf("resume.recur"));
        var resumed = Model.Load(PathOf("resume.recur"));
        resumed.Output = TextWriter.Null;
        resumed.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: Verbosity.Silent);

        Assert.Equal(straight.Parameters.SelectMany(p => p.Value.ToArray()), resumed.Parameters.SelectMany(p => p.Value.ToArray()));
    }

    [Fact]
    public void A_failing_save_leaves_the_previous_file_intact()
    {
        string path = PathOf("keep.recur");
        var good = new Sequential(1, new Lstm(3), new Dense(1));
        good.Build(4, 2);
        good.Save(path);
        var before = File.ReadAllBytes(path);
        var unsaveable = new Sequential(2, new Lstm(3), new Unsaveable());
        unsaveable.Build(4, 2);
        Assert.Throws<NotSupportedException>(() => unsaveable.Save(path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir)); // no temporary file left behind
    }

    private sealed class Unsaveable() : Layer("custom")
    {
        public override int[] ComputeOutputShape(int[] inputShape) => inputShape;
        public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => input;
        public override Tensor Backward(Tensor gradOutput) => gradOutput;
    }

    private string SavedModel()
    {
        var m = new Sequential(4, new Embedding(6, 3), new SimpleRnn(2), new Dense(1));
        m.Build(5);
        string path = PathOf("base.recur");
        m.Save(path);
        return path;
    }

    /// <summary>Rewrites a saved model with changed metadata and/or tensors.</summary>
    private string Rewrite(string source, string name, Action<Dictionary<string, string>>? meta = null, Action<List<KeyValuePair<string, Tensor>>>? tensors = null)
    {
        var f = SafeTensorsFile.Read(source);
        var m = f.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        var t = f.Names.Select(n => new KeyValuePair<string, Tensor>(n, f.Get(n))).ToList();
        meta?.Invoke(m);
        tensors?.Invoke(t);
        string path = PathOf(name);
        SafeTensorsWriter.Write(path, t, m);
        return path;
    }

    [Fact]
    public void A_version_1_file_still_loads_and_predicts_the_same()
    {
        // Version 2 added functional graphs; a Sequential is written in the version-1 layout.
        string saved = SavedModel();
        var path = Rewrite(saved, "v1.recur", meta: m => m["format_version"] = "1");
        var x = new Tensor([1f, 2f, 3f, 4f, 5f, 0f, 1f, 2f, 3f, 4f], 2, 5);
        Assert.Equal(Model.Load(saved).Predict(x).ToArray(), Model.Load(path).Predict(x).ToArray());
        Assert.IsType<Sequential>(Model.Load(path));
    }

    [Fact]
    public void Loading_a_newer_format_version_says_to_upgrade()
    {
        var path = Rewrite(SavedModel(), "v9.recur", meta: m => m["format_version"] = "9");
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("version 9", e.Message);
        Assert.Contains("Upgrade", e.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("1.0")]
    [InlineData(" 1")]
    [InlineData("one")]
    [InlineData("")]
    public void Loading_a_missing_zero_or_non_integer_format_version_is_refused(string? version)
    {
        var path = Rewrite(SavedModel(), "version.recur", meta: m =>
        {
            if (version is null) m.Remove("format_version");
            else m["format_version"] = version;
        });
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(path));
        Assert.Contains("format_version", e.Message);
        Assert.Contains("expected", e.Message);
        if (!string.IsNullOrWhiteSpace(version)) Assert.Contains(version, e.Message);
    }

    [Fact]
    public void Loading_a_plain_safetensors_file_says_it_is_not_a_model()
    {
        var path = Rewrite(SavedModel(), "plain.safetensors", meta: m => m.Clear());
        Assert.Contains("not a Recur model file", Assert.Throws<ModelFormatException>(() => Model.Load(path)).Message);
    }

    [Fact]
    public void Loading_checks_tensor_names_and_shapes_against_the_architecture()
    {
        string source = SavedModel();
        var missing = Rewrite(source, "missing.recur", tensors: t => t.RemoveAll(kv => kv.Key == "simplernn.weight_hh_l0"));
        var e1 = Assert.Throws<ModelFormatException>(() => Model.Load(missing));
        Assert.Contains("'simplernn.weight_hh_l0' is missing", e1.Message);
        Assert.Contains("(2, 2)", e1.Message);

        var reshaped = Rewrite(source, "shape.recur", tensors: t =>
        {
            int i = t.FindIndex(kv => kv.Key == "dense.weight");
            t[i] = new(t[i].Key, Tensor.Zeros(2, 2));
        });
        var e2 = Assert.Throws<ModelFormatException>(() => Model.Load(reshaped));
        Assert.Contains("'dense.weight' has shape (2, 2)", e2.Message);
        Assert.Contains("(1, 2)", e2.Message);

        var extra = Rewrite(source, "extra.recur", tensors: t => t.Add(new("stray.weight", Tensor.Zeros(1))));
        Assert.Contains("'stray.weight' belongs to no layer", Assert.Throws<ModelFormatException>(() => Model.Load(extra)).Message);
    }

    [Fact]
    public void Loading_a_broken_architecture_names_the_problem()
    {
        string source = SavedModel();
        var badJson = Rewrite(source, "json.recur", meta: m => m["architecture"] = "{\"class\": \"Sequential\", ");
        Assert.Contains("not valid JSON", Assert.Throws<ModelFormatException>(() => Model.Load(badJson)).Message);
        var unknown = Rewrite(source, "type.recur", meta: m => m["architecture"] = m["architecture"].Replace("\"SimpleRnn\"", "\"Transformer\""));
        var e = Assert.Throws<ModelFormatException>(() => Model.Load(unknown));
        Assert.Contains("unknown type 'Transformer'", e.Message);
        var badUnits = Rewrite(source, "units.recur", meta: m => m["architecture"] = m["architecture"].Replace("\"units\":2", "\"units\":\"two\""));
        Assert.Contains("'units' should be an integer", Assert.Throws<ModelFormatException>(() => Model.Load(badUnits)).Message);
    }

    [Fact]
    public void Truncated_or_garbage_files_fail_with_a_format_error()
    {
        var bytes = File.ReadAllBytes(SavedModel());
        foreach (int keep in new[] { 0, 5, 8, 40, bytes.Length / 2, bytes.Length - 1 })
        {
            string path = PathOf($"cut{keep}.recur");
            File.WriteAllBytes(path, bytes[..keep]);
            Assert.Throws<SafeTensorsFormatException>(() => Model.Load(path));
        }
        string garbage = PathOf("garbage.recur");
        File.WriteAllBytes(garbage, Encoding.ASCII.GetBytes("\xff\xff\xff\xff\xff\xff\xff\x7fhello"));
        Assert.Throws<SafeTensorsFormatException>(() => Model.Load(garbage));
        Assert.Throws<FileNotFoundException>(() => Model.Load(PathOf("nope.recur")));
    }
}
