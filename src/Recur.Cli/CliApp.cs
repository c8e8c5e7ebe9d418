using System.CommandLine;
using Recur.Cli.Common;
using Recur.Cli.Tasks;

namespace Recur.Cli;

/// <summary>
/// The <c>recur</c> command tree and its exit codes: 0 success, 2 bad input or usage (one line on
/// stderr), 1 an unexpected failure (a bug: the message, and the stack trace with RECUR_DEBUG=1).
/// </summary>
public static class CliApp
{
    public const int Success = 0, Failure = 1, BadInput = 2;

    /// <summary>Runs <c>recur</c> with <paramref name="args"/>; Ctrl-C handling is the caller's (it cancels <paramref name="cancellation"/>).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation = default)
        => Run(args, output, error, cancellation, Array.Empty<Recur.Training.Callback>());

    /// <summary>As <see cref="Run(string[], TextWriter, TextWriter, CancellationToken)"/>, with <paramref name="extraCallbacks"/> added to every training run.</summary>
    internal static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation, IReadOnlyList<Recur.Training.Callback> extraCallbacks)
    {
        var ctx = new CliContext(output, error, cancellation, extraCallbacks);
        var root = new RootCommand("recur: recurrent neural networks (LSTM, GRU, SimpleRNN) on real tasks. Every command runs with no arguments on bundled data.")
        {
            ClassifyCommand.Create(ctx),
            PredictCommand.Create(ctx),
            ForecastCommand.Create(ctx),
            TagCommand.Create(ctx),
            CharLmCommand.Create(ctx),
            TranslateCommand.Create(ctx),
            AddingCommand.Create(ctx),
            ListenCommand.Create(ctx),
            ExportCommand.Create(ctx),
            ServeCommand.Create(ctx),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var messages = parse.Errors.Select(e => string.Join(" ", e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
            error.WriteLine("recur: " + string.Join("; ", messages) + $" (see 'recur {string.Join(' ', CommandPath(parse))} --help')");
            return BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            });
        }
        catch (Exception e) when (e is InputException or Recur.Training.BackupMismatchException)
        {
            output.Flush();
            error.WriteLine("recur: " + e.Message + ctx.AbandonRuns());
            return BadInput;
        }
        catch (Exception e)
        {
            output.Flush();
            string kept = ctx.AbandonRuns();
            error.WriteLine($"recur: unexpected {e.GetType().Name}: {e.Message}" +
                            (Environment.GetEnvironmentVariable("RECUR_DEBUG") == "1" ? kept + Environment.NewLine + e : " (set RECUR_DEBUG=1 for the stack trace)" + kept));
            return Failure;
        }
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var c = parse.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            if (c.Command is not RootCommand) names.Insert(0, c.Command.Name);
        return names;
    }
}
