using System.CommandLine;
using Recur.Cli.Common;

namespace Recur.Cli.Tasks;

internal static class TagCommand
{
    public const string Task = "tag";

    public static Command Create(CliContext ctx) => new(Task, "todo");
}
