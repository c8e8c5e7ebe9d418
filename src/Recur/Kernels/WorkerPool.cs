using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Recur.Kernels;

/// <summary>Work split into chunks: <see cref="Execute"/> runs once per chunk, on any pool thread.</summary>
internal interface IParallelWork
{
    void Execute(int chunk);
}

/// <summary>
/// A persistent pool of kernel threads. A fork costs microseconds while a recurrent layer calls
/// its kernels thousands of times per epoch, so threads are created once; an idle worker spins
/// for a short while (the next call usually comes within microseconds), then blocks.
/// </summary>
/// <remarks>
/// <para><see cref="Run"/> publishes the chunks; the caller and the workers then claim them one at
/// a time until none is left, and the call returns when every claimed chunk is done. A worker
/// that is slow to wake (or descheduled by another process) costs parallelism, never a wait:
/// the caller takes the chunks it has not claimed. Workers spin while a call is running and
/// for 100 µs after, then block.</para>
/// <para>Claims go through one 64-bit word, (epoch, threads, chunks, next chunk), changed by
/// compare-and-swap, so a late worker can never claim a chunk of a finished call: its snapshot
/// carries the old epoch. A successful claim pins the call (the caller waits for that chunk),
/// so the work a claimer reads after claiming is the current call's.</para>
/// <para>One call owns the pool at a time; a concurrent or nested caller runs all its chunks
/// itself. Callers split work so that results do not depend on which thread runs a chunk.</para>
/// </remarks>
internal static class WorkerPool
{
    /// <summary>Most chunks per call (12 bits of the claim word).</summary>
    public const int MaxChunks = 4095;

    /// <summary>How long an idle worker spins before it blocks.</summary>
    private static readonly long s_spinTicks = Stopwatch.Frequency / 10_000; // 100 µs

    private static readonly object s_growLock = new();
    private static Worker[] s_workers = [];
    private static int s_busy;
    private static long s_claim; // epoch:32 | threads:8 | chunks:12 | next:12
    private static IParallelWork? s_work;
    private static int s_done;
    private static Exception? s_error;

    /// <summary>
    /// Runs <c>work.Execute(c)</c> for c in [0, chunks) on up to <paramref name="threads"/>
    /// threads (the caller included), and returns when all are done.
    /// </summary>
    public static void Run(IParallelWork work, int chunks, int threads)
    {
        if (chunks > MaxChunks)
            throw new ArgumentOutOfRangeException(nameof(chunks), chunks, $"At most {MaxChunks} chunks per call.");
        threads = Math.Min(Math.Min(threads, chunks), 255);
        if (threads <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int c = 0; c < chunks; c++) work.Execute(c);
            return;
        }
        try
        {
            Worker[] workers = EnsureWorkers(threads - 1);
            s_work = work;
            s_error = null;
            Volatile.Write(ref s_done, 0);
            long epoch = (Volatile.Read(ref s_claim) >> 32) + 1;
            Volatile.Write(ref s_claim, (epoch << 32) | ((long)threads << 24) | ((long)chunks << 12));
            for (int w = 0; w < threads - 1; w++) workers[w].WakeIfSleeping();

            ClaimChunks(epoch);
            var spinner = new SpinWait();
            while (Volatile.Read(ref s_done) != chunks)
                spinner.SpinOnce(sleep1Threshold: -1);
            s_work = null;
            if (s_error is { } error)
                ExceptionDispatchInfo.Capture(error).Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>Claims and runs chunks of <paramref name="epoch"/> until none is left.</summary>
    private static void ClaimChunks(long epoch)
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            int next = (int)(claim & 0xFFF), chunks = (int)((claim >> 12) & 0xFFF);
            if (claim >> 32 != epoch || next >= chunks) return;
            if (Interlocked.CompareExchange(ref s_claim, claim + 1, claim) != claim) continue;
            try
            {
                s_work!.Execute(next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_error, e, null);
            }
            Interlocked.Increment(ref s_done);
        }
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
        private readonly int _id; // 1-based: the caller is thread 0
        private int _sleeping;

        public Worker(int id)
        {
            _id = id;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Recur kernel worker {id}" };
            thread.Start();
        }

        /// <summary>
        /// Full fence with the worker's own exchange (a Dekker-style handshake): either it sees
        /// the new claim word before sleeping, or we see its flag and release it.
        /// </summary>
        public void WakeIfSleeping()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        }

        private void Loop()
        {
            long seen = Volatile.Read(ref s_claim) >> 32;
            while (true)
            {
                long epoch = WaitForEpoch(seen);
                seen = epoch;
                int threads = (int)((Volatile.Read(ref s_claim) >> 24) & 0xFF);
                if (_id < threads) ClaimChunks(epoch);
            }
        }

        /// <summary>Spins, then sleeps, until a call with an epoch after <paramref name="seen"/> is published.</summary>
        private long WaitForEpoch(long seen)
        {
            long start = Stopwatch.GetTimestamp();
            int spins = 0;
            while (true)
            {
                long epoch = Volatile.Read(ref s_claim) >> 32;
                if (epoch != seen) return epoch;
                Thread.SpinWait(1);
                if ((++spins & 63) != 0) continue;
                // The idle time counts from the end of the last call: a worker that found every
                // chunk of a long call taken must still be awake for the next one, or it would
                // fall behind for good, each wake-up arriving after the caller took everything.
                if (Volatile.Read(ref s_busy) != 0) start = Stopwatch.GetTimestamp();
                if (Stopwatch.GetTimestamp() - start < s_spinTicks) continue;

                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref s_claim) >> 32 == seen)
                    _wake.Wait();
                else if (Interlocked.Exchange(ref _sleeping, 0) == 0)
                    _wake.Wait(); // a caller took the flag and released us: consume it
                start = Stopwatch.GetTimestamp();
                spins = 0;
            }
        }
    }
}
