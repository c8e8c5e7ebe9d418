using System.Text.Json.Nodes;

namespace Recur.Tests.Cli;

/// <summary>
/// End-to-end runs on data simple enough that the answer is known: each asserts the number or
/// label a working model must produce, so a stub model, a label swap or a shifted tag fails.
/// </summary>
public class KnownAnswerTests
{
    private static double Number(JsonObject metrics, string key) => (double)metrics[key]!;

    [Fact]
    public void A_tagger_gives_a_training_sentence_exactly_its_tags()
    {
        using var dir = new TempDir();
        string conllu = SmallData.Conllu(60, 1);
        var train = dir.Write("train.conllu", conllu);
        var test = dir.Write("test.conllu", SmallData.Conllu(10, 2));
        string run = dir.File("run");

        CliRun.Of("tag", "--train", train, "--test", test, "--epochs", "15", "--batch", "8", "--units", "16",
            "--lr", "0.01", "--seed", "3", "--quiet", "--out", run).ShouldSucceed();

        var m = CliRun.Metrics(run);
        Assert.True(Number(m, "test_accuracy") >= 0.95, $"every word has one tag: {m.ToJsonString()}");
        // Every sentence, with ADP and without, read back with its own tags.
        foreach (var (words, tags) in Sentences(conllu).Take(6))
        {
            var predicted = CliRun.Of("predict", "--model", run, "--text", string.Join(' ', words));
            predicted.ShouldSucceed();
            Assert.Equal(string.Join(' ', words.Zip(tags, (w, t) => $"{w}/{t}")), predicted.Output.Trim());
        }
    }

    /// <summary>The FORM and UPOS columns of each sentence of a CoNLL-U text.</summary>
    private static IEnumerable<(string[] Words, string[] Tags)> Sentences(string conllu)
    {
        foreach (var block in conllu.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var rows = block.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split('\t')).ToArray();
            yield return (rows.Select(r => r[1]).ToArray(), rows.Select(r => r[3]).ToArray());
        }
    }

    [Fact]
    public void A_classifier_says_pos_for_the_positive_text_and_neg_for_the_negative_one()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", SmallData.Sentiment(200, 1));
        var test = dir.Write("test.tsv", SmallData.Sentiment(40, 2));
        string run = dir.File("run");

        CliRun.Of("classify", "--train", train, "--test", test, "--epochs", "8", "--batch", "16", "--units", "8",
            "--seed", "3", "--quiet", "--out", run).ShouldSucceed();

        var m = CliRun.Metrics(run);
        Assert.True(Number(m, "test_accuracy") >= 0.9, $"one sentiment word decides the label: {m.ToJsonString()}");
        var texts = dir.Write("texts.txt", "a great and lovely film\nthe plot was bad and dull\n");
        var predicted = CliRun.Of("predict", "--model", run, "--input", texts);
        predicted.ShouldSucceed();
        var lines = predicted.Output.Trim().Split('\n').Select(l => l.Split('\t')).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.Equal(("pos", "a great and lovely film"), (lines[0][0], lines[0][2]));
        Assert.Equal(("neg", "the plot was bad and dull"), (lines[1][0], lines[1][2]));
        foreach (var l in lines) Assert.InRange(double.Parse(l[1], System.Globalization.CultureInfo.InvariantCulture), 0.5, 1.0);
    }

    [Fact]
    public void A_forecast_of_a_clean_seasonal_series_beats_the_naive_baselines()
    {
        using var dir = new TempDir();
        var csv = dir.Write("series.csv", SmallData.Seasonal(96));
        string run = dir.File("run");

        CliRun.Of("forecast", "--csv", csv, "--target", "value", "--features", "kind", "--window", "13", "--season", "12",
            "--test-size", "24", "--epochs", "15", "--units", "8", "--seed", "3", "--quiet", "--out", run).ShouldSucceed();

        var m = CliRun.Metrics(run);
        // Trend 1 per step plus 20·sin(2πt/12): naive (the last value) is off by
        // √(1 + (2·20·sin(π/12))²/2) ≈ 7.38 in RMS, seasonal naive by exactly 12.
        Assert.Equal(7.38, Number(m, "naive_rmse"), 1);
        Assert.True(Number(m, "test_rmse") < 0.75 * Number(m, "naive_rmse"), $"the model should beat naive clearly: {m.ToJsonString()}");
        Assert.True(Number(m, "test_rmse") < Number(m, "seasonal_naive_rmse"), m.ToJsonString());
    }

    [Fact]
    public void A_character_model_predicts_better_than_a_uniform_guess()
    {
        using var dir = new TempDir();
        var text = dir.Write("play.txt", SmallData.Play(60));
        string run = dir.File("run");

        CliRun.Of("charlm", "train", "--text", text, "--steps", "60", "--eval-every", "30", "--batch", "4", "--seq", "20",
            "--layers", "1", "--units", "32", "--lr", "0.01", "--seed", "3", "--quiet", "--out", run).ShouldSucceed();

        var m = CliRun.Metrics(run);
        var task = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(run, "task.json")))!;
        int vocabulary = task["alphabet"]!.GetValue<string>().Length;
        Assert.InRange(vocabulary, 20, 40);
        // A uniform guess scores ln V nats per character; the lines repeat, so a model does far better.
        Assert.True(Number(m, "val_loss") < Math.Log(vocabulary) - 1, $"ln {vocabulary} = {Math.Log(vocabulary):F3}: {m.ToJsonString()}");
    }

    [Fact]
    public void An_lstm_solves_a_short_adding_problem_far_below_the_baseline()
    {
        using var dir = new TempDir();
        string run = dir.File("run");

        CliRun.Of("adding", "--length", "10", "--train-size", "512", "--test-size", "128", "--epochs", "15", "--batch", "32",
            "--units", "16", "--lr", "0.01", "--seed", "3", "--quiet", "--out", run).ShouldSucceed();

        var m = CliRun.Metrics(run);
        Assert.InRange(Number(m, "baseline_mse"), 0.1, 0.25); // always 1: Var(U₁ + U₂) = 1/6 in expectation
        Assert.True(Number(m, "test_mse") < 0.2 * Number(m, "baseline_mse"), $"the LSTM should learn the sum: {m.ToJsonString()}");
    }
}
