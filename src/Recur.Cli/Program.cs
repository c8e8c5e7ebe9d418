using Recur.Cli;

// Ctrl-C once: stop after the current batch, keep the best model, write the results.
// Ctrl-C twice: abort at once.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancel.IsCancellationRequested) return;
    e.Cancel = true;
    cancel.Cancel();
    Console.Error.WriteLine();
    Console.Error.WriteLine("recur: stopping after the current batch (Ctrl-C again to abort)");
};
return CliApp.Run(args, Console.Out, Console.Error, cancel.Token);
