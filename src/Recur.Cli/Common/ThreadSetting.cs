using System.Diagnostics;

namespace Recur.Cli.Common;

/// <summary>
/// <c>--threads N</c>. A training command runs its kernels on at most N threads and at most N
/// ensemble members side by side, for the command's thread only (<see cref="Limit"/>): the
/// process-wide settings and the process's processors stay as they were, so a command run
/// in-process (a test, a host) leaves its caller unchanged. <c>recur serve</c>, a process of its
/// own whose requests run on pool threads, pins the process instead (<see cref="PinProcess"/>).
/// </summary>
internal static class ThreadSetting
{
    /// <summary>
    /// Bounds the kernels called from the calling thread to <paramref name="threads"/> threads
    /// until the returned scope is disposed (nothing when <paramref name="threads"/> is null).
    /// </summary>
    /// <exception cref="InputException"><paramref name="threads"/> is less than 1.</exception>
    public static IDisposable Limit(int? threads)
    {
        if (threads is not { } n) return NoScope.Instance;
        Validate(n);
        return RecurSettings.LimitThreads(n);
    }

    /// <summary>
    /// Pins the process to its first <paramref name="threads"/> processors, which bounds every
    /// thread the library and the runtime start, and sets the kernels' threads to as many.
    /// </summary>
    /// <exception cref="InputException"><paramref name="threads"/> is less than 1.</exception>
    public static void PinProcess(int? threads)
    {
        if (threads is not { } n) return;
        Validate(n);
        if (n >= Environment.ProcessorCount) return;
        RecurSettings.Threads = n;
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsWindows())) return;
        try
        {
            // The first N processors the process may run on.
            using var process = Process.GetCurrentProcess();
            long allowed = (long)process.ProcessorAffinity, mask = 0;
            for (int bit = 0, taken = 0; bit < 64 && taken < n; bit++)
            {
                if ((allowed & (1L << bit)) == 0) continue;
                mask |= 1L << bit;
                taken++;
            }
            process.ProcessorAffinity = (nint)mask;
        }
        catch (Exception e) when (e is PlatformNotSupportedException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // Affinity is a hint; without it the kernels still keep to N threads.
        }
    }

    /// <summary>
    /// How many processors work side by side may use from the calling thread: those the process
    /// may run on, bounded by the thread's <see cref="Limit"/>.
    /// </summary>
    public static int Processors() => Math.Min(ProcessProcessors(), RecurSettings.ThreadsOnThisThread);

    private static int ProcessProcessors()
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsWindows())) return Environment.ProcessorCount;
        try
        {
            using var process = Process.GetCurrentProcess();
            return Math.Max(1, System.Numerics.BitOperations.PopCount((ulong)(long)process.ProcessorAffinity));
        }
        catch (Exception e) when (e is PlatformNotSupportedException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return Environment.ProcessorCount;
        }
    }

    private static void Validate(int n)
    {
        if (n < 1) throw new InputException($"--threads is {n}; expected at least 1.");
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();

        public void Dispose() { }
    }
}
