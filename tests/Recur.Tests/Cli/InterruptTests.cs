using Recur.Cli;
using Recur.Cli.Common;
using Recur.Training;

namespace Recur.Tests.Cli;

/// <summary>Ctrl-C: the handler of the two presses, and a press in the middle of an epoch.</summary>
public class InterruptTests
{
    [Fact]
    public void The_first_press_stops_after_the_batch_and_keeps_running_the_second_aborts()
    {
        using var cancel = new CancellationTokenSource();
        var error = new StringWriter();
        var handler = new InterruptHandler(cancel, error);

        Assert.True(handler.Press());            // e.Cancel = true: the process goes on
        Assert.True(cancel.IsCancellationRequested);
        Assert.Contains("stopping after the current batch (Ctrl-C again to abort)", error.ToString());
        Assert.False(handler.Press());           // the runtime terminates the process
        Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(1)]
    public void Ctrl_C_after_batch_k_of_the_first_epoch_logs_k_steps_and_writes_the_best_model(int k)
    {
        using var dir = new TempDir();
        var train = dir.Write("train.tsv", SmallData.Sentiment(200, 1));
        var test = dir.Write("test.tsv", SmallData.Sentiment(20, 2));
        string run = dir.File("run");
        using var cancel = new CancellationTokenSource();
        int batches = 0;
        var press = new LambdaCallback { BatchEnd = (_, _) => { if (++batches == k) cancel.Cancel(); } };
        var output = new StringWriter();

        // 190 training texts in batches of 16: 12 batches an epoch.
        int code = CliApp.Run(["classify", "--train", train, "--test", test, "--epochs", "3", "--batch", "16", "--units", "8", "--seed", "3", "--quiet", "--out", run],
            output, new StringWriter(), cancel.Token, [press]);

        Assert.Equal(0, code);
        var history = File.ReadAllLines(Path.Combine(run, "history.csv"));
        Assert.Equal(2, history.Length);
        int steps = Array.IndexOf(history[0].Split(','), "steps");
        Assert.Equal(k.ToString(System.Globalization.CultureInfo.InvariantCulture), history[1].Split(',')[steps]);
        Assert.Equal(k, batches);
        var m = CliRun.Metrics(run);
        Assert.True((bool)m["interrupted"]!);
        Assert.Equal(1, (int)m["epochs"]!);
        Assert.Equal(1, (int)m["best_epoch"]!);
        Assert.Contains("interrupted (Ctrl-C)", output.ToString());
        var model = Recur.Models.Model.Load(Path.Combine(run, "model.recur"));
        Assert.Equal(new[] { 2 }, model.OutputShape);                    // the classifier of the two labels
    }
}
