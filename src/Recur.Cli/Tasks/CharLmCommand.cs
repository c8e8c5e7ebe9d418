using System.CommandLine;
using Recur.Cli.Common;

namespace Recur.Cli.Tasks;

internal static class CharLmCommand
{
    public const string Task = "charlm";

    public static Command Create(CliContext ctx) => new(Task, "todo");
}
