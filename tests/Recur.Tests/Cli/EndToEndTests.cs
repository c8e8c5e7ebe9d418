using Recur.Cli;

using System.Text.Json.Nodes;

namespace Recur.Tests.Cli;

/// <summary>Every command on small inputs, end to end: exit code, printed summary, files written.</summary>
public class EndToEndTests
{
    private static readonly string[] Fast = { "--units", "8", "--seed", "3", "--quiet" };

    private static string[] Args(params string[] args) => args.Concat(Fast).ToArray();

    private static void HasFiles(string dir, params string[] names)
    {
        foreach (var n in names) Assert.True(File.Exists(Path.Combine(dir, n)), $"{n} is missing from {dir}: {string.Join(", ", Directory.GetFiles(dir).Select(Path.GetFileName))}");
        Assert.False(Directory.Exists(dir + ".partial"), "the staging directory should be gone");
    }

    private static void HasKeys(JsonObject metrics, params string[] keys)
    {
        foreach (var k in keys) Assert.True(metrics.ContainsKey(k), $"metrics.json lacks {k}: {metrics.ToJsonString()}");
    }

    [Fact]
    public void Classify_then_predict()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", SmallData.Sentiment(200, 1));
        var test = dir.Write("test.tsv", SmallData.Sentiment(40, 2));
        string run = dir.File("run");

        var result = CliRun.Of(Args("classify", "--train", train, "--test", test, "--epochs", "3", "--batch", "16", "--out", run));

        result.ShouldSucceed();
        Assert.Contains("test accuracy", result.Output);
        HasFiles(run, "model.recur", "task.json", "history.csv", "metrics.json", "loss.svg", "accuracy.svg");
        var m = CliRun.Metrics(run);
        HasKeys(m, "test_accuracy", "train_accuracy", "majority_accuracy", "classes");
        Assert.Equal(2, (int)m["classes"]!);
        Assert.Equal(0.5, (double)m["majority_accuracy"]!);
        Assert.True((double)m["test_accuracy"]! > 0.6, $"a clear two-word signal should be learned: {m.ToJsonString()}");
        var history = File.ReadAllLines(Path.Combine(run, "history.csv"));
        Assert.StartsWith("epoch,loss,", history[0]);
        foreach (var key in new[] { "val_loss", "val_accuracy", "accuracy", "lr" }) Assert.Contains(key, history[0].Split(','));
        Assert.Equal(1 + (int)m["epochs"]!, history.Length);
        Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(run, "loss.svg")));

        var predicted = CliRun.Of("predict", "--model", run, "--text", "a great and lovely film");
        predicted.ShouldSucceed();
        var fields = predicted.Output.Trim().Split('\t');
        Assert.Equal(3, fields.Length);
        Assert.Contains(fields[0], new[] { "pos", "neg" });
        Assert.InRange(double.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), 0.5, 1.0);

        var lines = dir.Write("texts.txt", "good film\n\nbad plot\r\n");
        var many = CliRun.Of("predict", "--model", Path.Combine(run, "model.recur"), "--input", lines);
        many.ShouldSucceed();
        Assert.Equal(2, many.Output.Trim().Split('\n').Length);
    }

    [Fact]
    public void Forecast_reports_rmse_against_both_baselines_and_counts_filled_values()
    {
        using var dir = new TempDir();
        var csv = dir.Write("series.csv", SmallData.Seasonal(96, 10, 11, 50));
        string run = dir.File("run");

        var result = CliRun.Of(Args("forecast", "--csv", csv, "--target", "value", "--features", "kind", "--window", "13", "--season", "12",
            "--test-size", "24", "--epochs", "5", "--out", run));

        result.ShouldSucceed();
        Assert.Contains("seasonal naive (12)", result.Output);
        HasFiles(run, "model.recur", "task.json", "history.csv", "metrics.json", "forecast.svg", "loss.svg", "predictions.csv");
        var m = CliRun.Metrics(run);
        HasKeys(m, "test_rmse", "test_mae", "train_rmse", "naive_rmse", "seasonal_naive_rmse");
        Assert.Equal(3, (int)m["missing_filled"]!);
        Assert.Equal(24, (int)m["test_size"]!);
        Assert.Equal(25, File.ReadAllLines(Path.Combine(run, "predictions.csv")).Length);
        // The series is exactly seasonal plus a trend of 1 per step: seasonal naive is off by 12.
        Assert.Equal(12.0, (double)m["seasonal_naive_rmse"]!, 3);
    }

    [Fact]
    public void Tag_then_predict_tags()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.conllu", SmallData.Conllu(60, 1));
        var test = dir.Write("test.conllu", SmallData.Conllu(10, 2));
        string run = dir.File("run");

        var result = CliRun.Of(Args("tag", "--train", train, "--test", test, "--epochs", "3", "--batch", "8", "--init", "pytorch", "--out", run));

        result.ShouldSucceed();
        HasFiles(run, "model.recur", "task.json", "history.csv", "metrics.json", "loss.svg", "accuracy.svg");
        var m = CliRun.Metrics(run);
        HasKeys(m, "test_accuracy", "most_frequent_tag_accuracy");
        Assert.Equal(1.0, (double)m["most_frequent_tag_accuracy"]!); // every word has one tag

        var predicted = CliRun.Of("predict", "--model", run, "--text", "the dog runs");
        predicted.ShouldSucceed();
        Assert.Matches(@"^the/\w+ dog/\w+ runs/\w+$", predicted.Output.Trim());
    }

    [Fact]
    public void Charlm_trains_and_samples()
    {
        using var dir = new TempDir();
        var text = dir.Write("play.txt", SmallData.Play(60));
        string run = dir.File("run");

        var result = CliRun.Of(Args("charlm", "train", "--text", text, "--steps", "6", "--eval-every", "3", "--batch", "4", "--seq", "20", "--layers", "1", "--out", run));

        result.ShouldSucceed();
        Assert.Contains("bits/char", result.Output);
        HasFiles(run, "model.recur", "task.json", "history.csv", "metrics.json", "loss.svg", "sample.txt");
        var m = CliRun.Metrics(run);
        HasKeys(m, "val_loss", "val_bpc", "train_loss");
        Assert.Equal((double)m["val_loss"]! / Math.Log(2), (double)m["val_bpc"]!, 4);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "history.csv")).Length);

        var sample = CliRun.Of("charlm", "sample", "--model", run, "--prime", "ROMEO:", "--length", "40");
        sample.ShouldSucceed();
        Assert.StartsWith("ROMEO:", sample.Output);
        Assert.Equal(46, sample.Output.TrimEnd('\n').Replace("\r", "").Length);
    }

    [Fact]
    public void Adding_compare_plots_every_cell()
    {
        using var dir = new TempDir();
        string run = dir.File("run");

        var result = CliRun.Of(Args("adding", "--length", "12", "--train-size", "64", "--test-size", "32", "--epochs", "1", "--batch", "16", "--compare", "--out", run));

        result.ShouldSucceed();
        HasFiles(run, "model.recur", "model-rnn.recur", "model-gru.recur", "history.csv", "metrics.json", "gradient_norms.svg", "gradient_norms.csv", "loss.svg");
        var m = CliRun.Metrics(run);
        HasKeys(m, "test_mse", "baseline_mse", "test_mse_rnn", "test_mse_lstm", "test_mse_gru");
        Assert.Equal((double)m["test_mse_lstm"]!, (double)m["test_mse"]!);
        var svg = File.ReadAllText(Path.Combine(run, "gradient_norms.svg"));
        foreach (var name in new[] { "SimpleRNN", "LSTM", "GRU" }) Assert.Contains(name, svg);
        Assert.Equal(13, File.ReadAllLines(Path.Combine(run, "gradient_norms.csv")).Length);
    }

    [Fact]
    public void Ctrl_C_stops_after_the_current_batch_and_still_writes_a_complete_run()
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", SmallData.Sentiment(200, 1));
        var test = dir.Write("test.tsv", SmallData.Sentiment(20, 2));
        string run = dir.File("run");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var output = new StringWriter();
        var error = new StringWriter();

        int code = CliApp.Run(Args("classify", "--train", train, "--test", test, "--epochs", "5", "--batch", "16", "--out", run), output, error, cancelled.Token);

        Assert.Equal(0, code);
        var m = CliRun.Metrics(run);
        Assert.True((bool)m["interrupted"]!);
        Assert.Equal(1, (int)m["epochs"]!);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "history.csv")).Length);
        Assert.Contains("interrupted", output.ToString());
        HasFiles(run, "model.recur", "metrics.json");
    }

    [Fact]
    public void A_rerun_replaces_an_earlier_run_but_never_another_directory()
    {
        using var dir = new TempDir();
        var csv = dir.Write("series.csv", SmallData.Seasonal(60));
        string run = dir.File("run");
        string[] args = Args("forecast", "--csv", csv, "--window", "6", "--test-size", "12", "--epochs", "1", "--out", run);
        CliRun.Of(args).ShouldSucceed();
        CliRun.Of(args).ShouldSucceed();
        HasFiles(run, "metrics.json");

        string other = dir.File("other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "notes.txt"), "mine");
        CliRun.Of(Args("forecast", "--csv", csv, "--window", "6", "--test-size", "12", "--epochs", "1", "--out", other))
            .ShouldFailWithOneLine("--out", "not an earlier recur run");
        Assert.Equal("mine", File.ReadAllText(Path.Combine(other, "notes.txt")));
    }
}
