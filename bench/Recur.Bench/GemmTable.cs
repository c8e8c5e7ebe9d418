using System.Diagnostics;
using Recur.Kernels;

namespace Recur.Bench;

/// <summary>
/// The quick GEMM table (no BenchmarkDotNet): for each shape and for 1 and 2 threads, the best
/// mean time over several batches, the GFLOP/s and the share of the measured FMA peak.
/// </summary>
internal static class GemmTable
{
    public static void Print(string[] filters)
    {
        // "--threads=1" (or "=2", "=1,2") picks the thread counts; the default is 1 and 2.
        string? threadArg = filters.FirstOrDefault(f => f.StartsWith("--threads=", StringComparison.Ordinal));
        int[] threadCounts = threadArg != null
            ? threadArg["--threads=".Length..].Split(',').Select(int.Parse).ToArray()
            : Enumerable.Range(1, Math.Min(2, Environment.ProcessorCount)).ToArray();
        // "--kernel=Vector256" (or Scalar) measures another micro-kernel than the CPU's best.
        string? kernelArg = filters.FirstOrDefault(f => f.StartsWith("--kernel=", StringComparison.Ordinal));
        if (kernelArg != null) KernelSettings.GemmKernel = Enum.Parse<GemmKernelKind>(kernelArg["--kernel=".Length..], ignoreCase: true);
        filters = filters.Where(f => !f.StartsWith("--", StringComparison.Ordinal)).ToArray();
        double peak = PeakFlops.PerCore;
        Console.WriteLine($"kernel: {KernelSettings.GemmKernel}; measured per-core FMA peak: {peak:F1} GFLOP/s");
        Console.WriteLine($"{"shape",-24} {"thr",3} {"ms",9} {"GFLOP/s",8} {"% peak",7}");
        int saved = KernelSettings.Threads;
        foreach (var shape in GemmShape.Select(filters))
        {
            var run = GemmCase.Create(shape);
            foreach (int t in threadCounts)
            {
                KernelSettings.Threads = t;
                double sec = Time(run);
                double gflops = shape.Flops / sec / 1e9;
                Console.WriteLine($"{shape.Name,-24} {t,3} {sec * 1e3,9:G4} {gflops,8:F1} {100 * gflops / (peak * t),6:F1}%");
            }
        }
        KernelSettings.Threads = saved;
    }

    /// <summary>
    /// Seconds per call: the fastest of many short batches (about 5 ms, or one call) over about
    /// a second after warm-up. Short batches let the minimum dodge scheduler preemption on a
    /// shared machine.
    /// </summary>
    public static double Time(Action run, double seconds = 1.0)
    {
        long t0 = Stopwatch.GetTimestamp();
        int calls = 0;
        while (Stopwatch.GetElapsedTime(t0).TotalSeconds < 0.2 || calls < 3) { run(); calls++; }
        double perCall = Stopwatch.GetElapsedTime(t0).TotalSeconds / calls;
        int batch = Math.Max(1, (int)(0.005 / perCall));
        double best = double.MaxValue;
        long start = Stopwatch.GetTimestamp();
        for (int b = 0; b < 5 || Stopwatch.GetElapsedTime(start).TotalSeconds < seconds; b++)
        {
            long s = Stopwatch.GetTimestamp();
            for (int i = 0; i < batch; i++) run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(s).TotalSeconds / batch);
        }
        return best;
    }
}
