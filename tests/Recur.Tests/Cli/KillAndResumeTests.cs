using System.Diagnostics;
using Recur.Cli;
using Recur.Serialization;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary>
/// Crash safety the hard way: a child <c>recur</c> process killed with SIGKILL at random moments
/// (during epochs, and as soon as a save has started) and started again with <c>--resume</c> until
/// it finishes must end with the files of an uninterrupted run, model files byte for byte; a reader
/// polling the model file meanwhile never sees a half-written one. RECUR_KILL_ROUNDS sets how many
/// complete kill-and-resume cycles run (default 2; the acceptance run uses 20).
/// </summary>
public class KillAndResumeTests(ITestOutputHelper log)
{
    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("RECUR_KILL_ROUNDS"), out int n) && n > 0 ? n : 2;

    [Theory]
    [InlineData("classify")]
    [InlineData("forecast")]
    public void A_run_killed_at_random_moments_and_resumed_ends_bit_identical_to_an_uninterrupted_run(string command)
    {
        using var dir = new TempDir();
        string[] args = command == "classify"
            ? ["classify", "--train", dir.Write("train.tsv", SmallData.Sentiment(300, 1)), "--test", dir.Write("test.tsv", SmallData.Sentiment(40, 2)),
                "--epochs", "4", "--batch", "16", "--units", "16", "--seed", "3", "--threads", "1", "--quiet"]
            : ["forecast", "--csv", dir.Write("series.csv", SmallData.Seasonal(144)), "--window", "12", "--season", "12", "--epochs", "8", "--batch", "8",
                "--ensemble", "3", "--units", "16", "--seed", "3", "--threads", "1", "--quiet"];
        string reference = dir.File("reference");
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, Child([.. args, "--out", reference], killAfter: null, killOnSave: false, out _).ExitCode);
        double seconds = clock.Elapsed.TotalSeconds;

        var random = new SeededRandom(Environment.TickCount64 is var t ? (ulong)t : 1);
        int kills = 0, savesCut = 0, reads = 0, retries = 0;
        double latest = 0.8; // kill times are drawn from [0.05, latest] × the uninterrupted run's time
        for (int round = 0; round < Rounds; round++)
        {
            string run = dir.File($"run{round}");
            int roundKills = 0;
            for (int attempt = 0; ; attempt++)
            {
                bool resume = Directory.Exists(run + ".partial");
                bool killOnSave = attempt % 2 == 1 && attempt < 8;
                double? killAfter = attempt >= 8 || killOnSave ? null : seconds * (0.05 + (latest - 0.05) * random.NextDouble());
                var result = Child([.. args, "--out", run, .. resume ? ["--resume"] : Array.Empty<string>()], killAfter, killOnSave, out int polled);
                reads += polled;
                if (!result.Killed)
                {
                    Assert.True(result.ExitCode == 0, $"round {round}, attempt {attempt}: exit code {result.ExitCode}: {result.Error}");
                    if (roundKills > 0) break;
                    // Finished before the kill (the machine got faster): this round again, killed earlier.
                    Directory.Delete(run, recursive: true);
                    latest = Math.Max(0.1, latest * 0.6);
                    retries++;
                    attempt = -1;
                    continue;
                }
                kills++;
                roundKills++;
                if (Directory.Exists(run + ".partial"))
                {
                    if (Directory.EnumerateFiles(run + ".partial", ".*.tmp").Any()) savesCut++;
                    EveryFileWhole(run + ".partial");
                }
            }
            ResumeTests.SameRun(reference, run);
        }
        log.WriteLine($"{Rounds} rounds: {kills} kills ({savesCut} left a save cut short), {retries} rounds redone (finished before the kill), " +
                      $"{reads} reads of model.recur while training, an uninterrupted run takes {seconds:0.0} s");
    }

    /// <summary>Whatever a kill left, every model file and backup in the run is complete and valid.</summary>
    private static void EveryFileWhole(string partial)
    {
        foreach (var model in Directory.GetFiles(partial, "*.recur")) Recur.Models.Model.Load(model);
        foreach (var backup in Directory.GetFiles(partial, "backup*.safetensors")) SafeTensorsFile.Read(backup);
    }

    private sealed record ChildResult(int ExitCode, bool Killed, string Error);

    /// <summary>
    /// Runs recur in a child process; SIGKILLs it after <paramref name="killAfter"/> seconds or, with
    /// <paramref name="killOnSave"/>, as soon as a temporary file of a save appears in the run. Meanwhile
    /// a reader loads the run's model.recur whenever it exists (<paramref name="reads"/> counts them).
    /// </summary>
    private static ChildResult Child(string[] args, double? killAfter, bool killOnSave, out int reads)
    {
        string cli = typeof(CliApp).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(cli);
        foreach (var a in args) start.ArgumentList.Add(a);
        string partial = args[Array.IndexOf(args, "--out") + 1] + ".partial";
        using var child = Process.Start(start)!;
        var error = new System.Text.StringBuilder();
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        child.OutputDataReceived += (_, _) => { };
        child.BeginErrorReadLine();
        child.BeginOutputReadLine();

        bool killed = false;
        void Kill()
        {
            try
            {
                if (child.HasExited) return;
                child.Kill(); // SIGKILL
                killed = true;
            }
            catch (InvalidOperationException) { } // exited meanwhile
        }
        using var done = new CancellationTokenSource();
        int polled = 0;
        var reader = Task.Run(() =>
        {
            // A reader never sees a half-written model file: every load that finds one succeeds.
            string model = Path.Combine(partial, "model.recur");
            while (!done.IsCancellationRequested)
            {
                try
                {
                    if (File.Exists(model))
                    {
                        Recur.Models.Model.Load(model);
                        polled++;
                    }
                }
                catch (FileNotFoundException) { }
                catch (DirectoryNotFoundException) { } // the run completed: .partial renamed
                Thread.Sleep(15);
            }
        });
        FileSystemWatcher? watcher = null;
        if (killOnSave)
        {
            var stopwatch = Stopwatch.StartNew();
            while (!Directory.Exists(partial) && !child.HasExited && stopwatch.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(5);
            if (Directory.Exists(partial))
            {
                watcher = new FileSystemWatcher(partial, "*.tmp") { NotifyFilter = NotifyFilters.FileName };
                // A save of the model or of the backup has begun (AtomicFile's .NAME.*.tmp): kill now.
                watcher.Created += (_, e) =>
                {
                    if (e.Name is { } n && (n.StartsWith(".model.recur.", StringComparison.Ordinal) || n.StartsWith(".backup", StringComparison.Ordinal))) Kill();
                };
                watcher.EnableRaisingEvents = true;
            }
        }
        if (killAfter is { } s && !child.WaitForExit(TimeSpan.FromSeconds(s))) Kill();
        child.WaitForExit();
        watcher?.Dispose();
        done.Cancel();
        reader.Wait();
        reads = polled;
        lock (error) return new ChildResult(killed ? -1 : child.ExitCode, killed, error.ToString());
    }
}
