namespace Recur.Cli.Common;

/// <summary>
/// What Ctrl-C does: the first press cancels <paramref name="cancel"/> (training stops after the
/// current batch, the best model and the results are still written) and keeps the process
/// running; a second press lets it terminate at once.
/// </summary>
internal sealed class InterruptHandler(CancellationTokenSource cancel, TextWriter error)
{
    /// <summary>Handles one press; returns true when the process should keep running (the event's <c>Cancel</c>).</summary>
    public bool Press()
    {
        if (cancel.IsCancellationRequested) return false;
        cancel.Cancel();
        error.WriteLine();
        error.WriteLine("recur: stopping after the current batch (Ctrl-C again to abort)");
        return true;
    }
}
