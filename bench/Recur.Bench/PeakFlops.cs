using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Bench;

/// <summary>
/// The per-core FMA peak, measured with a loop whose operands never leave registers:
/// twelve independent Vector512 accumulators hide the FMA latency, so the loop is bound by the
/// FMA issue rate alone. Every GEMM number is reported as a percentage of this.
/// </summary>
internal static class PeakFlops
{
    private const int Iterations = 4_000_000; // ≈ 7 ms per run at peak

    /// <summary>Iterations of one <see cref="PeakBenchmarks"/> call (≈ 0.2 ms).</summary>
    public const int BenchmarkIterations = 100_000;

    /// <summary>Per iteration: 12 FMAs × 16 lanes × 2 flops.</summary>
    public const double FlopsPerIteration = 12 * 16 * 2;

    /// <summary>Measured GFLOP/s of one core (best of several runs), cached.</summary>
    public static double PerCore => s_perCore ??= Measure(1);
    private static double? s_perCore;

    public static void PrintTable()
    {
        Console.WriteLine($"Vector512 accelerated: {Vector512.IsHardwareAccelerated}; cores: {Environment.ProcessorCount}");
        Console.WriteLine("threads  GFLOP/s  per-core");
        for (int t = 1; t <= Math.Min(2, Environment.ProcessorCount); t++)
        {
            double g = Measure(t);
            Console.WriteLine($"{t,7}  {g,7:F1}  {g / t,8:F1}");
        }
    }

    /// <summary>Total GFLOP/s of <paramref name="threads"/> threads each running the loop.</summary>
    public static double Measure(int threads)
    {
        double best = 0;
        for (int rep = 0; rep < 25; rep++) // best of many short runs dodges preemption
        {
            using var start = new Barrier(threads + 1);
            var workers = new Thread[threads];
            var seconds = new double[threads];
            for (int t = 0; t < threads; t++)
            {
                int id = t;
                workers[t] = new Thread(() =>
                {
                    Loop(1000); // warm up (tiering)
                    start.SignalAndWait();
                    long t0 = Stopwatch.GetTimestamp();
                    Loop(Iterations);
                    seconds[id] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                });
                workers[t].Start();
            }
            start.SignalAndWait();
            foreach (var w in workers) w.Join();
            best = Math.Max(best, threads * Iterations * FlopsPerIteration / seconds.Max() / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static float Loop(int iterations)
    {
        var x = Vector512.Create(0.999f);
        var y = Vector512.Create(1e-7f);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
        }
        var s = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
        return Vector512.Sum(s);
    }
}
