using System.Text.Json.Nodes;
using Recur.Cli;
using Recur.Training;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>--resume</c> on every training command: a run that crashes in the middle of training and is
/// resumed ends with the files of a run never interrupted (model files byte for byte).
/// </summary>
public class ResumeTests
{
    /// <summary>Throws at the start of epoch <paramref name="epoch"/> of the first training: a crash mid-run.</summary>
    internal sealed class CrashAt(int epoch) : Callback
    {
        public override void OnEpochBegin(int e)
        {
            if (e == epoch) throw new IOException("simulated crash");
        }
    }

    internal static string[] Args(string command, TempDir dir) => command switch
    {
        "classify" => ["classify", "--train", dir.Write("train.tsv", SmallData.Sentiment(120, 1)), "--test", dir.Write("test.tsv", SmallData.Sentiment(20, 2)), "--epochs", "4", "--batch", "16"],
        "tag" => ["tag", "--train", dir.Write("train.conllu", SmallData.Conllu(40, 1)), "--test", dir.Write("test.conllu", SmallData.Conllu(10, 2)), "--epochs", "4", "--batch", "8"],
        "charlm" => ["charlm", "train", "--text", dir.Write("play.txt", SmallData.Play(40)), "--steps", "12", "--eval-every", "3", "--batch", "4", "--seq", "20", "--layers", "1"],
        "adding" => ["adding", "--length", "10", "--train-size", "48", "--test-size", "16", "--epochs", "4", "--batch", "16", "--compare"],
        "forecast" => ["forecast", "--csv", dir.Write("series.csv", SmallData.Seasonal(72)), "--window", "6", "--season", "12", "--epochs", "4", "--batch", "8", "--ensemble", "2"],
        _ => throw new ArgumentException(command),
    };

    private static int Run(string[] args, string output, int crashEpoch, params string[] more)
        => CliApp.Run([.. args, "--units", "8", "--seed", "3", "--quiet", "--out", output, .. more], new StringWriter(), new StringWriter(), default, [new CrashAt(crashEpoch)]);

    [Theory]
    [InlineData("classify")]
    [InlineData("tag")]
    [InlineData("charlm")]
    [InlineData("adding")]
    [InlineData("forecast")]
    public void A_run_resumed_after_a_crash_writes_what_an_uninterrupted_run_writes(string command)
    {
        using var dir = new TempDir();
        var args = Args(command, dir);
        string straight = dir.File("straight"), crashed = dir.File("crashed");
        Assert.Equal(0, Run(args, straight, -1));

        Assert.Equal(1, Run(args, crashed, 2));
        Assert.True(Directory.Exists(crashed + ".partial"));
        Assert.Equal(0, Run(args, crashed, -1, "--resume"));

        SameRun(straight, crashed);
    }

    /// <summary>The same model files byte for byte, the same history (but the clock) and metrics (but times).</summary>
    internal static void SameRun(string expected, string actual)
    {
        var models = Directory.GetFiles(expected, "*.recur").Select(Path.GetFileName).Order().ToList();
        Assert.NotEmpty(models);
        Assert.Equal(models, Directory.GetFiles(actual, "*.recur").Select(Path.GetFileName).Order());
        foreach (var m in models)
            Assert.True(File.ReadAllBytes(Path.Combine(expected, m!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, m!))), $"{m} differs");
        var histories = Directory.GetFiles(expected, "history*.csv").Select(Path.GetFileName).ToList();
        Assert.NotEmpty(histories);
        foreach (var h in histories)
            Assert.Equal(WithoutColumn(Path.Combine(expected, h!), "seconds"), WithoutColumn(Path.Combine(actual, h!), "seconds"));
        var a = CliRun.Metrics(expected);
        var b = CliRun.Metrics(actual);
        foreach (var key in a.Select(kv => kv.Key).Where(k => !k.StartsWith("train_seconds", StringComparison.Ordinal)))
            Assert.True(JsonNode.DeepEquals(a[key], b[key]), $"metrics.json {key}: {a[key]} vs {b[key]}");
        Assert.Empty(Directory.GetFiles(actual, "*backup*"));
    }

    /// <summary>The lines of a history without the clock's column (forecast's history has none).</summary>
    private static string[] WithoutColumn(string csv, string column)
    {
        var lines = File.ReadAllLines(csv);
        Assert.True(lines.Length > 1, $"{csv} has no rows");
        int index = Array.IndexOf(lines[0].Split(','), column);
        return lines.Select(l => string.Join(",", l.Split(',').Where((_, i) => i != index))).ToArray();
    }

    /// <summary>Throws at the <paramref name="n"/>-th epoch begun over all trainings (0-based): a crash in a later training.</summary>
    private sealed class CrashAtEpochBegun(int n) : Callback
    {
        private int _begun;

        /// <summary>Epochs begun so far.</summary>
        public int Begun => _begun;

        public override void OnEpochBegin(int e)
        {
            if (_begun++ == n) throw new IOException("simulated crash");
        }
    }

    [Fact]
    public void A_forecast_crashed_in_its_second_member_resumes_the_first_finished_and_the_second_where_it_was()
    {
        using var dir = new TempDir();
        string[] args = [.. Args("forecast", dir), "--units", "8", "--seed", "3", "--quiet"];
        string straight = dir.File("straight"), crashed = dir.File("crashed");
        Assert.Equal(0, CliApp.Run([.. args, "--out", straight], new StringWriter(), new StringWriter()));

        var error = new StringWriter();
        Assert.Equal(1, CliApp.Run([.. args, "--out", crashed], new StringWriter(), error, default, [new CrashAtEpochBegun(6)])); // member 2, epoch 3
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("crashed.partial: run the same command with --resume", line);
        Assert.True(File.Exists(Path.Combine(crashed + ".partial", "backup.safetensors")));
        Assert.True(File.Exists(Path.Combine(crashed + ".partial", "backup-2.safetensors")));
        var output = new StringWriter();
        Assert.Equal(0, CliApp.Run([.. args[..^1], "--out", crashed, "--resume"], output, new StringWriter(), default, [new CrashAtEpochBegun(-1)]));
        Assert.Contains("resumed from the backups of members 1, 2 of 2", output.ToString());

        SameRun(straight, crashed);
    }

    [Fact]
    public void A_forecast_crashed_in_its_refit_resumes_the_refit_instead_of_training_it_again()
    {
        using var dir = new TempDir();
        string[] args = [.. Args("forecast", dir), "--units", "8", "--seed", "3", "--quiet"];
        string straight = dir.File("straight"), crashed = dir.File("crashed");
        var count = new CrashAtEpochBegun(-1);
        Assert.Equal(0, CliApp.Run([.. args, "--out", straight], new StringWriter(), new StringWriter(), default, [count]));
        // The last epoch begun is the last epoch of the last member's refit (two members: at least two refit epochs).
        Assert.Equal(1, CliApp.Run([.. args, "--out", crashed], new StringWriter(), new StringWriter(), default, [new CrashAtEpochBegun(count.Begun - 1)]));
        Assert.True(File.Exists(Path.Combine(crashed + ".partial", "backup-refit-1.safetensors")));
        var output = new StringWriter();
        var resumed = new CrashAtEpochBegun(-1);
        Assert.Equal(0, CliApp.Run([.. args[..^1], "--out", crashed, "--resume"], output, new StringWriter(), default, [resumed]));
        Assert.Contains("resumed the refit of member", output.ToString());
        Assert.Equal(1, resumed.Begun); // only the epoch the crash cut short: the members and the refits before it come from their backups
        SameRun(straight, crashed);
    }

    [Fact]
    public void A_run_that_fails_before_its_first_backup_leaves_nothing_behind()
    {
        using var dir = new TempDir();
        var args = Args("classify", dir);
        string run = dir.File("run");
        var error = new StringWriter();
        Assert.Equal(1, CliApp.Run([.. args, "--units", "8", "--quiet", "--out", run], new StringWriter(), error, default, [new CrashAt(0)]));
        Assert.DoesNotContain("--resume", error.ToString());
        Assert.False(Directory.Exists(run + ".partial"), "a failed run left its staging directory");
        Assert.False(Directory.Exists(run));
        Assert.Equal(["test.tsv", "train.tsv"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Resume_with_other_settings_or_without_an_interrupted_run_is_one_line()
    {
        using var dir = new TempDir();
        var args = Args("classify", dir);
        string run = dir.File("run");
        Assert.Equal(1, Run(args, run, 2));
        var other = new StringWriter();
        int code = CliApp.Run([.. args, "--units", "8", "--seed", "4", "--quiet", "--out", run, "--resume"], new StringWriter(), other, default, [new CrashAt(-1)]);
        Assert.Equal(2, code);
        var line = Assert.Single(other.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("another run", line);
        Assert.Contains("--seed=4", line);
        Assert.True(File.Exists(Path.Combine(run + ".partial", "backup.safetensors")), "a refused resume lost the interrupted run's backup");

        CliRun.Of([.. args, "--out", dir.File("never"), "--resume"]).ShouldFailWithOneLine("--resume", "no interrupted run");
        CliRun.Of([.. args, "--resume"]).ShouldFailWithOneLine("--resume needs --out");
    }
}
