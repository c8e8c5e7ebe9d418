namespace Recur.Cli.Common;

/// <summary>
/// Where a command talks to the user. Progress and details go through <see cref="Info"/>
/// (silenced by <c>--quiet</c>); the closing summary through <see cref="Summary"/> (always shown).
/// </summary>
internal sealed class Ui(TextWriter output, TextWriter error, bool quiet)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;
    public bool Quiet { get; } = quiet;

    /// <summary>True when progress can be redrawn in place (an interactive console, not --quiet).</summary>
    public bool Interactive => !Quiet && ReferenceEquals(Output, Console.Out) && !Console.IsOutputRedirected;

    public void Info(string line)
    {
        if (!Quiet) Output.WriteLine(line);
    }

    public void Summary(string line) => Output.WriteLine(line);

    /// <summary>Rewrites the current console line (interactive consoles only).</summary>
    public void Progress(string line)
    {
        if (!Interactive) return;
        Output.Write("\r" + line + "\u001b[K");
        Output.Flush();
    }

    /// <summary>Clears a progress line before a normal line is printed.</summary>
    public void EndProgress()
    {
        if (!Interactive) return;
        Output.Write("\r\u001b[K");
        Output.Flush();
    }
}
