using System.Diagnostics;

namespace Recur.Bench;

/// <summary>The timing protocol shared by every case of bench/compare.sh, on both sides.</summary>
internal static class StepTimer
{
    /// <summary>
    /// Median wall time of one step (ms) after warm-up, over at least 1 s or 5 steps. Warm-up runs
    /// for at least 1 s: .NET compiles a method first quickly, then again optimized once it has
    /// been called often (tiered compilation), and a step of well under a millisecond would
    /// otherwise be timed on the first, slow code — which a training run of any length leaves
    /// behind within its first second.
    /// </summary>
    public static double MedianMs(Action step)
    {
        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.Elapsed.TotalSeconds < 1; i++) step();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 5 || (total.Elapsed.TotalSeconds < 1 && times.Count < 200))
        {
            long t0 = Stopwatch.GetTimestamp();
            step();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Peak working set of this process so far, MB.</summary>
    public static double PeakRssMb => Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
}
