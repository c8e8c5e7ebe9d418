namespace Recur.Cli.Common;

/// <summary>What every command runs with: the console streams and the Ctrl-C token.</summary>
internal sealed record CliContext(TextWriter Output, TextWriter Error, CancellationToken Cancellation)
{
    public Ui Ui(bool quiet) => new(Output, Error, quiet);
}
