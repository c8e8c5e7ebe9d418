using System.Diagnostics;
using Recur.Cli;
using Recur.Training;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>--threads N</c> bounds the command's own kernels; run in-process, the command leaves its
/// host as it was: the process's processors and the process-wide thread count.
/// </summary>
public class ThreadOptionTests
{
    /// <summary>Records, at every epoch, how many threads the training thread's kernels may use.</summary>
    private sealed class ThreadsSeen : Callback
    {
        public List<int> Seen { get; } = [];

        public override void OnEpochBegin(int epoch)
        {
            lock (Seen) Seen.Add(RecurSettings.ThreadsOnThisThread);
        }
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("tag")]
    [InlineData("adding")]
    [InlineData("forecast")]
    public void Threads_one_bounds_the_training_and_leaves_the_host_unchanged(string command)
    {
        using var dir = new TempDir();
        long affinity = Affinity();
        int threads = RecurSettings.Threads;
        var seen = new ThreadsSeen();
        int code = CliApp.Run([.. ResumeTests.Args(command, dir), "--threads", "1", "--quiet", "--out", dir.File("run")],
            new StringWriter(), new StringWriter(), default, [seen]);
        Assert.Equal(0, code);
        Assert.NotEmpty(seen.Seen);
        Assert.All(seen.Seen, n => Assert.Equal(1, n));
        Assert.Equal(affinity, Affinity());
        Assert.Equal(threads, RecurSettings.Threads);
        Assert.Equal(threads, RecurSettings.ThreadsOnThisThread);
    }

    [Fact]
    public void Without_the_option_training_uses_the_process_wide_count()
    {
        using var dir = new TempDir();
        var seen = new ThreadsSeen();
        int code = CliApp.Run([.. ResumeTests.Args("adding", dir), "--quiet", "--out", dir.File("run")],
            new StringWriter(), new StringWriter(), default, [seen]);
        Assert.Equal(0, code);
        Assert.NotEmpty(seen.Seen);
        Assert.All(seen.Seen, n => Assert.Equal(RecurSettings.Threads, n));
    }

    private static long Affinity()
    {
        using var process = Process.GetCurrentProcess();
        return OperatingSystem.IsLinux() || OperatingSystem.IsWindows() ? (long)process.ProcessorAffinity : 0;
    }
}
