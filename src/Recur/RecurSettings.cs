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
}
