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
            double rss = StepTimer.PeakRssMb;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"case={c.Name} ms={ms:F3} gflops={c.Flops / (ms * 1e6):F1} rss_mb={rss:F0} threads={RecurSettings.Threads}"));
        }
    }

    private static double Time(LayerCase c)
    {
        var step = c.Build();
        return StepTimer.MedianMs(step.Run);
    }
}
