using Recur.Cli;
using Recur.Cli.Common;

using var cancel = new CancellationTokenSource();
var interrupt = new InterruptHandler(cancel, Console.Error);
Console.CancelKeyPress += (_, e) => e.Cancel = interrupt.Press();
return CliApp.Run(args, Console.Out, Console.Error, cancel.Token);
