using System.Diagnostics;

namespace Recur.Cli.Common;

/// <summary>
/// <c>--threads N</c>: pins the process to its first N processors, which bounds every thread the
/// library and the runtime start (the kernels may parallelise; this keeps them to N cores).
/// </summary>
internal static class ThreadSetting
{
    public static void Apply(int? threads)
    {
        if (threads is not { } n) return;
        if (n < 1) throw new InputException($"--threads is {n}; expected at least 1.");
        int available = Environment.ProcessorCount;
        if (n >= available) return;
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
            // Affinity is a hint; without it the run still works on every core.
        }
    }

    /// <summary>The processors the process may run on (after <see cref="Apply"/>): what work side by side can use.</summary>
    public static int Processors()
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
}
