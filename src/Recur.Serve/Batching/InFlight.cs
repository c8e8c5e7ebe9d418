namespace Recur.Serve.Batching;

/// <summary>Keeps count of the items of requests in flight, which tells a batch when nobody else is coming.</summary>
public sealed class InFlight
{
    private int _count;

    /// <summary>Items in flight now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts <paramref name="n"/> items until the returned value is disposed.</summary>
    public Scope Enter(int n)
    {
        Interlocked.Add(ref _count, n);
        return new Scope(this, n);
    }

    /// <summary>Ends the count of one request's items.</summary>
    public readonly struct Scope(InFlight owner, int n) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => Interlocked.Add(ref owner._count, -n);
    }
}
