using System.CommandLine;
using Recur.Cli.Common;

namespace Recur.Cli.Tasks;

internal static class AddingCommand
{
    public const string Task = "adding";

    public static Command Create(CliContext ctx) => new(Task, "todo");
}
