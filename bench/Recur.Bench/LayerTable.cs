using System.Globalization;

namespace Recur.Bench;

/// <summary>
/// Times the recurrent cases of <see cref="LayerCase"/> in this library. With a case name, runs
/// only that case (or a shape, <c>cell:B:T:I:H:train|infer</c>) and prints one line <c>case=… ms=… gflops=… rss_mb=…</c> (bench/compare.sh
/// runs every case in its own process so that peak RSS belongs to that case alone).
/// </summary>
internal static class LayerTable
{
    public static void Print(string[] args)
    {
        var cases = args.Length > 0 ? args.Select(LayerCase.Find).ToArray() : LayerCase.All;
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
