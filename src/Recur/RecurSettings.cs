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
}
