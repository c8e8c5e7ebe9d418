using Recur.Training;

namespace Recur.Cli.Common;

/// <summary>What every command runs with: the console streams, the Ctrl-C token, and callbacks added to every training run (tests).</summary>
internal sealed record CliContext(TextWriter Output, TextWriter Error, CancellationToken Cancellation, IReadOnlyList<Callback> ExtraCallbacks)
{
    public Ui Ui(bool quiet) => new(Output, Error, quiet);
}
