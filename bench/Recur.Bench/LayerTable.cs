using System.Diagnostics;
using System.Globalization;

namespace Recur.Bench;

/// <summary>
/// Times the recurrent cases of <see cref="LayerCase"/> in this library. With a case name, runs
/// only that case and prints one line <c>case=… ms=… gflops=… rss_mb=…</c> (bench/compare.sh
/// runs every case in its own process so that peak RSS belongs to that case alone).
/// </summary>
internal static class LayerTable
{
    public static void Print(string[] args)
    {
        var cases = args.Length > 0 ? LayerCase.All.Where(c => args.Contains(c.Name)).ToArray() : LayerCase.All;
        if (cases.Length == 0) throw new ArgumentException($"No case named {string.Join(", ", args)}; cases: {string.Join(", ", LayerCase.All.Select(c => c.Name))}.");
        foreach (var c in cases)
        {
            double ms = Time(c);
            double rss = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"case={c.Name} ms={ms:F3} gflops={c.Flops / (ms * 1e6):F1} rss_mb={rss:F0} threads={RecurSettings.Threads}"));
        }
    }

    /// <summary>
    /// Median wall time of one step (ms) after warm-up, over at least 1 s or 5 steps. Warm-up runs
    /// for at least 1 s: .NET compiles a method first quickly, then again optimized once it has
    /// been called often (tiered compilation), and a step of well under a millisecond would
    /// otherwise be timed on the first, slow code — which a training run of any length leaves
    /// behind within its first second.
    /// </summary>
    private static double Time(LayerCase c)
    {
        var step = c.Build();
        void Step() => step.Run();

        var warmUp = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warmUp.Elapsed.TotalSeconds < 1; i++) Step();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 5 || (total.Elapsed.TotalSeconds < 1 && times.Count < 200))
        {
            long t0 = Stopwatch.GetTimestamp();
            Step();
            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
