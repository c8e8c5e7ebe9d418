namespace Recur.Serve.Inference;

/// <summary>
/// Serialises the calls into a model that are not safe on two threads at once: the steps of a
/// language model (<c>LanguageModelStepper</c> runs the layers' <c>Forward</c>, which keeps
/// per-call buffers in the layers). Models that are only predicted with need no gate:
/// <c>Model.Predict</c> and <c>PredictOnBatch</c> run safely from many threads.
/// </summary>
public sealed class ModelGate
{
    private readonly Lock _lock = new();

    /// <summary>Runs <paramref name="forward"/> while no other call of this model runs.</summary>
    public T Run<T>(Func<T> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        lock (_lock) return forward();
    }
}
