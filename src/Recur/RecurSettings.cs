using Recur.Kernels;

namespace Recur;

/// <summary>Process-wide settings of the library.</summary>
public static class RecurSettings
{
    /// <summary>
    /// How many threads the numerical kernels may use (default: <see cref="Environment.ProcessorCount"/>).
    /// Set 1 to run everything on the calling thread. Results are bit-identical for every value,
    /// so training stays deterministic whatever the thread count.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int Threads
    {
        get => KernelSettings.Threads;
        set => KernelSettings.Threads = value;
    }

    /// <summary>
    /// How many threads the kernels called from the calling thread may use: <see cref="Threads"/>,
    /// or fewer inside a <see cref="LimitThreads"/> scope of this thread, or 1 inside
    /// <see cref="OnCallingThread"/>.
    /// </summary>
    public static int ThreadsOnThisThread => KernelSettings.ThreadsHere;

    /// <summary>
    /// Runs <paramref name="work"/> with the numerical kernels on the calling thread alone, as if
    /// <see cref="Threads"/> were 1 for this call only (other threads keep their setting). For a
    /// caller that runs several independent calls at once on threads of its own (a server's
    /// concurrent batches): its parallelism is across the calls, and kernel workers woken by one
    /// call would spin between that call's kernels on the processors the others need. Results
    /// are bit-identical to any other thread count.
    /// </summary>
    /// <returns>What <paramref name="work"/> returns.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    public static T OnCallingThread<T>(Func<T> work) => WorkerPool.RunAlone(work);

    /// <summary>
    /// Bounds the threads of the kernels called from the calling thread to
    /// <paramref name="threads"/> (or <see cref="Threads"/> if that is fewer) until the returned
    /// scope is disposed; other threads, and threads this one starts, keep <see cref="Threads"/>.
    /// Scopes nest: disposing one restores the bound before it. For a caller that wants fewer
    /// threads for one piece of work without changing the process-wide setting (a command run
    /// in-process, a test). Results are bit-identical to any other thread count.
    /// </summary>
    /// <returns>The scope; dispose it on the thread that created it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static IDisposable LimitThreads(int threads) => KernelSettings.LimitThreads(threads);
}
