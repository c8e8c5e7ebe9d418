using Recur.Training;

namespace Recur.Cli.Common;

/// <summary>What every command runs with: the console streams, the Ctrl-C token, and callbacks added to every training run (tests).</summary>
internal sealed record CliContext(TextWriter Output, TextWriter Error, CancellationToken Cancellation, IReadOnlyList<Callback> ExtraCallbacks)
{
    private readonly List<RunDirectory> _runs = [];

    public Ui Ui(bool quiet) => new(Output, Error, quiet);

    /// <summary>The command's run directory (<see cref="RunDirectory.Create"/>), remembered so that a failure can tidy up after it.</summary>
    public RunDirectory OpenRun(string? requested, string task, bool resume = false)
    {
        var run = RunDirectory.Create(requested, task, resume);
        _runs.Add(run);
        return run;
    }

    /// <summary>
    /// After the command failed: every run it opened and did not complete is kept for
    /// <c>--resume</c> or discarded (<see cref="RunDirectory.Abandon"/>); returns what the error
    /// line should add ("" when nothing was kept).
    /// </summary>
    public string AbandonRuns()
    {
        var kept = _runs.Select(r => r.Abandon()).OfType<string>().ToList();
        _runs.Clear();
        return kept.Count == 0 ? "" : "; " + string.Join("; ", kept);
    }
}
