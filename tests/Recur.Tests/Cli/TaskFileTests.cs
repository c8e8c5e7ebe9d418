using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>task.json</c> is checked on its own (types, duplicates, ranges) and against the model beside
/// it (inputs, vocabulary size, outputs) before <c>predict</c> or <c>charlm sample</c> use it.
/// </summary>
public class TaskFileTests
{
    private const string Vocabulary = "[\"good\", \"bad\", \"film\"]";

    /// <summary>A classifier over ids 0..4 (padding, unknown, 3 tokens) with two outputs.</summary>
    private static Sequential Classifier(int vocabulary = 5, int outputs = 2)
    {
        var m = new Sequential(1, new Embedding(vocabulary, 4, maskZero: true), new Lstm(3), new Dense(outputs));
        m.Build(-1);
        return m;
    }

    private static string Classify(string labels = "[\"neg\", \"pos\"]", string maxLength = "10", string vocabulary = Vocabulary) =>
        $"{{\"task\": \"classify\", \"format\": 1, \"labels\": {labels}, \"max_length\": {maxLength}, \"tokenizer\": \"lowercase-words\", \"vocabulary\": {vocabulary}}}";

    private static string ModelDir(TempDir dir, Model model, string taskJson)
    {
        string d = dir.File("model");
        Directory.CreateDirectory(d);
        model.Save(Path.Combine(d, "model.recur"));
        File.WriteAllText(Path.Combine(d, "task.json"), taskJson);
        return d;
    }

    private static CliRun Predict(string model) => CliRun.Of("predict", "--model", model, "--text", "a good film");

    [Fact]
    public void A_consistent_pair_predicts()
    {
        using var dir = new TempDir();
        var run = Predict(ModelDir(dir, Classifier(), Classify()));
        run.ShouldSucceed();
        Assert.Matches("^(neg|pos)\t", run.Output);
    }

    [Theory]
    [InlineData("[\"neg\", 7]", "\"labels\" should be a list of strings", "entry 1 is 7")]
    [InlineData("[\"neg\", \"neg\"]", "\"labels\" should be distinct labels", "\"neg\" appears twice")]
    [InlineData("[\"neg\", \"pos\", \"meh\"]", "do not belong together", "3 labels", "outputs (2)")]
    [InlineData("\"neg,pos\"", "\"labels\" should be a list of strings")]
    public void Labels_that_do_not_fit(string labels, params string[] fragments)
    {
        using var dir = new TempDir();
        Predict(ModelDir(dir, Classifier(), Classify(labels: labels))).ShouldFailWithOneLine(fragments);
    }

    [Theory]
    [InlineData("-3", "\"max_length\" should be an integer ≥ 1")]
    [InlineData("\"10\"", "\"max_length\" should be an integer ≥ 1")]
    [InlineData("1e400", "\"max_length\" should be an integer ≥ 1")]
    public void A_max_length_that_is_not_a_length(string maxLength, string fragment)
    {
        using var dir = new TempDir();
        Predict(ModelDir(dir, Classifier(), Classify(maxLength: maxLength))).ShouldFailWithOneLine(fragment);
    }

    [Fact]
    public void A_vocabulary_larger_than_the_embedding()
    {
        using var dir = new TempDir();
        Predict(ModelDir(dir, Classifier(), Classify(vocabulary: "[\"good\", \"bad\", \"film\", \"plot\"]")))
            .ShouldFailWithOneLine("6 ids", "Embedding has 5 rows");
    }

    [Fact]
    public void Duplicate_keys_are_refused()
    {
        using var dir = new TempDir();
        string json = Classify().Replace("\"format\": 1", "\"format\": 1, \"labels\": [\"a\", \"b\"]");
        Predict(ModelDir(dir, Classifier(), json)).ShouldFailWithOneLine("not valid JSON");
    }

    [Fact]
    public void A_task_that_is_a_number()
    {
        using var dir = new TempDir();
        Predict(ModelDir(dir, Classifier(), "{\"task\": 3}")).ShouldFailWithOneLine("no \"task\" string");
    }

    [Fact]
    public void A_forecast_model_beside_a_classify_task_file()
    {
        using var dir = new TempDir();
        var forecaster = new Sequential(1, new Lstm(4), new Dense(1));
        forecaster.Build(-1, 3);
        Predict(ModelDir(dir, forecaster, Classify())).ShouldFailWithOneLine("do not belong together", "inputs of shape (T, 3)");
    }

    private static Sequential CharModel(int alphabet)
    {
        var m = new Sequential(1, new Embedding(alphabet, 4), new Lstm(3, returnSequences: true), new Dense(alphabet));
        m.Build(-1);
        return m;
    }

    private static string CharTask(string alphabet) =>
        new JsonObject { ["task"] = "charlm", ["format"] = 1, ["alphabet"] = alphabet, ["seq"] = 10 }.ToJsonString();

    [Theory]
    [InlineData(4, "abca", "\"alphabet\" should be distinct characters", "'a' appears 2 times")]
    [InlineData(4, "abcde", "5 ids", "Embedding has 4 rows")]
    [InlineData(5, "abcd", "an alphabet of 4", "outputs (T, 5)")]
    public void An_alphabet_that_does_not_fit(int modelAlphabet, string alphabet, params string[] fragments)
    {
        using var dir = new TempDir();
        CliRun.Of("charlm", "sample", "--model", ModelDir(dir, CharModel(modelAlphabet), CharTask(alphabet)), "--prime", "a", "--length", "3")
            .ShouldFailWithOneLine(fragments);
    }

    [Fact]
    public void A_fitting_alphabet_samples()
    {
        using var dir = new TempDir();
        var run = CliRun.Of("charlm", "sample", "--model", ModelDir(dir, CharModel(4), CharTask("abcd")), "--prime", "a", "--length", "5");
        run.ShouldSucceed();
        Assert.Matches("^a[abcd]{5}", run.Output);
    }

    [Fact]
    public void A_model_with_nan_weights_does_not_predict_nan()
    {
        using var dir = new TempDir();
        var model = Classifier();
        model.Layers[^1].Parameters[^1].Value.Span[0] = float.NaN;
        Predict(ModelDir(dir, model, Classify())).ShouldFailWithOneLine("not a readable model file", "non-finite", "NaN");
    }
}
