using System.CommandLine;

namespace Recur.Cli.Common;

/// <summary><c>--header</c> / <c>--no-header</c>: whether a CSV/TSV file starts with column names (default: detected).</summary>
internal sealed class HeaderOptions
{
    private readonly Option<bool> _header = new("--header") { Description = "The files start with a header row (default: detected)" };
    private readonly Option<bool> _noHeader = new("--no-header") { Description = "The files have no header row" };

    public HeaderOptions(Command command)
    {
        command.Add(_header);
        command.Add(_noHeader);
    }

    /// <summary>True, false, or null to detect.</summary>
    public bool? Read(ParseResult r)
    {
        bool yes = r.GetValue(_header), no = r.GetValue(_noHeader);
        if (yes && no) throw new InputException("--header and --no-header contradict each other; pass one.");
        return yes ? true : no ? false : null;
    }
}
