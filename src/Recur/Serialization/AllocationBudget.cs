namespace Recur.Serialization;

/// <summary>
/// A cap on the tensor memory allocated on this thread while it is open: <see cref="Tensor.Zeros"/>
/// and <see cref="Tensor.Full"/> charge every tensor before allocating it, and the charge that
/// would pass the cap throws <see cref="InvalidDataException"/> instead.
/// </summary>
/// <remarks>
/// A model loader opens one around building an architecture read from a file, with the cap
/// derived from the bytes of weights the file holds (<see cref="Limits.ModelBuildBytesPerWeightByte"/>):
/// an architecture that claims far more parameters than the file has bytes then fails at its first
/// oversized parameter, before the memory is taken, and this holds for every layer type, a
/// user-defined one included, since all of them allocate through <see cref="Tensor"/>. Scopes nest;
/// the innermost one is charged. Only the opening thread is affected.
/// </remarks>
internal sealed class AllocationBudget : IDisposable
{
    [ThreadStatic] private static AllocationBudget? _current;

    private readonly AllocationBudget? _outer;
    private readonly Func<long, long, string> _problem;
    private readonly long _capBytes;
    private long _usedBytes;
    private bool _disposed;

    private AllocationBudget(long capBytes, Func<long, long, string> problem)
    {
        _capBytes = capBytes;
        _problem = problem;
        _outer = _current;
        _current = this;
    }

    /// <summary>
    /// Opens a scope allowing <paramref name="capBytes"/> bytes of tensors; <paramref name="problem"/>
    /// gives the message from the bytes the refused tensor needs and the bytes already used.
    /// </summary>
    public static AllocationBudget Open(long capBytes, Func<long, long, string> problem)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capBytes);
        ArgumentNullException.ThrowIfNull(problem);
        return new AllocationBudget(capBytes, problem);
    }

    /// <summary>Bytes charged so far.</summary>
    public long UsedBytes => _usedBytes;

    /// <summary>Charges <paramref name="elements"/> float32 values to the open scope, if any.</summary>
    /// <exception cref="InvalidDataException">The scope's cap would be passed.</exception>
    public static void Charge(long elements)
    {
        var budget = _current;
        if (budget is null) return;
        long bytes = elements * sizeof(float);
        if (bytes > budget._capBytes - budget._usedBytes)
            throw new InvalidDataException(budget._problem(bytes, budget._usedBytes));
        budget._usedBytes += bytes;
    }

    /// <summary>Closes the scope (the outer one, if any, is charged again).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_current == this) _current = _outer;
    }
}
