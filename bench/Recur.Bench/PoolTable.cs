using System.Diagnostics;
using Recur.Kernels;

namespace Recur.Bench;

/// <summary>
/// The cost of handing work to the kernel worker pool: µs per <see cref="WorkerPool.Run"/> of
/// two chunks of 5 µs busy work each (10 µs on one thread, 5 µs ideally on two), back to back
/// (workers spinning) and after an idle pause (workers asleep), and the share of chunks a worker
/// ran. Compare with about 7 µs for a fresh fork here.
/// </summary>
internal static class PoolTable
{
    private sealed class Busy : IParallelWork
    {
        public int Caller = Environment.CurrentManagedThreadId;
        public int OnWorker;
        public double Microseconds = 5;

        public void Execute(int chunk)
        {
            if (Environment.CurrentManagedThreadId != Caller) OnWorker++;
            long end = Stopwatch.GetTimestamp() + (long)(Microseconds * Stopwatch.Frequency / 1e6);
            while (Stopwatch.GetTimestamp() < end) { }
        }
    }

    public static void Print()
    {
        var work = new Busy();
        Console.WriteLine($"{"case",-28} {"µs/call",8} {"worker share",13}");
        Row("1 thread (no pool)", work, 2, threads: 1, pauseMs: 0, calls: 20_000);
        Row("back to back", work, 2, threads: 2, pauseMs: 0, calls: 20_000);
        Row("after 1 ms idle", work, 2, threads: 2, pauseMs: 1, calls: 300);
    }

    private static void Row(string name, Busy work, int chunks, int threads, int pauseMs, int calls)
    {
        for (int i = 0; i < 1000; i++) WorkerPool.Run(work, chunks, threads);
        work.OnWorker = 0;
        double total = 0;
        for (int i = 0; i < calls; i++)
        {
            if (pauseMs > 0) Thread.Sleep(pauseMs);
            long t0 = Stopwatch.GetTimestamp();
            WorkerPool.Run(work, chunks, threads);
            total += Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        Console.WriteLine($"{name,-28} {total / calls,8:F2} {100.0 * work.OnWorker / (calls * (double)chunks),12:F0}%");
    }
}
