using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Recur.Kernels;

/// <summary>One piece of parallel work: <see cref="Execute"/> runs once per part, each on its own thread.</summary>
internal interface IParallelWork
{
    void Execute(int part);
}

/// <summary>
/// A persistent pool of kernel threads. A fork costs microseconds while a recurrent layer calls
/// its kernels thousands of times per epoch, so threads are created once and handed work through
/// a per-worker mailbox: an idle worker spins for a short while (the next call usually comes
/// within microseconds), then blocks on a semaphore.
/// </summary>
/// <remarks>
/// <see cref="Run"/> executes part 0 on the calling thread and parts 1.. on workers, and returns
/// when every part is done. One call owns the pool at a time; a concurrent or nested caller runs
/// all its parts itself, which gives the same results since callers split work so that results
/// do not depend on which thread runs a part.
/// </remarks>
internal static class WorkerPool
{
    /// <summary>How long an idle worker spins before it blocks.</summary>
    private static readonly long s_spinTicks = Stopwatch.Frequency / 10_000; // 100 µs

    private static readonly object s_growLock = new();
    private static Worker[] s_workers = [];
    private static int s_busy;
    private static int s_pending;
    private static Exception? s_error;

    /// <summary>Runs <c>work.Execute(p)</c> for p in [0, parts), in parallel where the pool is free.</summary>
    public static void Run(IParallelWork work, int parts)
    {
        if (parts <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int p = 0; p < parts; p++) work.Execute(p);
            return;
        }
        try
        {
            Worker[] workers = EnsureWorkers(parts - 1);
            s_error = null;
            Volatile.Write(ref s_pending, parts - 1);
            for (int w = 0; w < parts - 1; w++) workers[w].Post(work, w + 1);
            try
            {
                work.Execute(0);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_error, e, null);
            }
            WaitForWorkers();
            if (s_error is { } error)
                ExceptionDispatchInfo.Capture(error).Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>Spins (the parts were sized to finish together), yielding now and then.</summary>
    private static void WaitForWorkers()
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref s_pending) != 0)
            spinner.SpinOnce(sleep1Threshold: -1);
    }

    private static Worker[] EnsureWorkers(int count)
    {
        Worker[] workers = s_workers;
        if (workers.Length >= count) return workers;
        lock (s_growLock)
        {
            workers = s_workers;
            if (workers.Length >= count) return workers;
            var grown = new Worker[count];
            Array.Copy(workers, grown, workers.Length);
            for (int w = workers.Length; w < count; w++) grown[w] = new Worker(w + 1);
            s_workers = grown;
            return grown;
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _wake = new(0);
        private IParallelWork? _work;
        private int _part;
        private int _sleeping;

        public Worker(int id)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Recur kernel worker {id}" };
            thread.Start();
        }

        /// <summary>Hands over one part; wakes the worker if it has gone to sleep.</summary>
        public void Post(IParallelWork work, int part)
        {
            _part = part;
            Volatile.Write(ref _work, work);
            // Full fence with the worker's own exchange: either it sees the work before sleeping,
            // or we see its sleeping flag and release it (Dekker-style handshake).
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        private void Loop()
        {
            while (true)
            {
                IParallelWork work = WaitForWork();
                try
                {
                    work.Execute(_part);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref s_error, e, null);
                }
                Volatile.Write(ref _work, null);
                Interlocked.Decrement(ref s_pending);
            }
        }

        private IParallelWork WaitForWork()
        {
            long start = Stopwatch.GetTimestamp();
            int spins = 0;
            while (true)
            {
                if (Volatile.Read(ref _work) is { } work) return work;
                Thread.SpinWait(1);
                if ((++spins & 63) != 0 || Stopwatch.GetTimestamp() - start < s_spinTicks) continue;

                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _work) is { } posted)
                {
                    // Posted meanwhile: take back the flag, or consume the release Post gave.
                    if (Interlocked.Exchange(ref _sleeping, 0) == 0) _wake.Wait();
                    return posted;
                }
                _wake.Wait();
                start = Stopwatch.GetTimestamp();
                spins = 0;
            }
        }
    }
}
