namespace Recur.Serve.Inference;

/// <summary>
/// The one place where calls into a model are serialised: every forward pass of a served model
/// goes through <see cref="Run{T}"/> of the model's gate. A <c>Model</c> keeps per-call buffers in
/// its layers, so two threads must not run it at once; when the model runs safely from many
/// threads this class becomes a plain call and nothing else changes.
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
