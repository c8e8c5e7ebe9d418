namespace Recur.Training;

/// <summary>Stops training as soon as a batch loss is NaN or infinite (or a gradient is, see <c>Fit</c>).</summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>The batch at which training was stopped, or −1.</summary>
    public int StoppedAtBatch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (logs.TryGetValue("loss", out var loss) && !double.IsFinite(loss))
        {
            StoppedAtBatch = batch;
            Model.StopTraining = true;
        }
    }
}
