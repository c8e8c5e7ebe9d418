using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

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
/// the caller takes the chunks it has not claimed. Workers poll while a call is running and
/// for 100 µs after, then block.</para>
/// <para>Claims go through one 64-bit word, (epoch, threads, chunks, next chunk), changed by
/// compare-and-swap, so a late worker can never claim a chunk of a finished call: its snapshot
/// carries the old epoch. A successful claim pins the call (the caller waits for that chunk),
/// so the work a claimer reads after claiming is the current call's.</para>
/// <para>One call owns the pool at a time; a concurrent or nested caller (or one inside
/// <see cref="RunAlone"/>) runs all its chunks itself. Callers split work so that results do not depend on which thread runs a chunk.</para>
/// </remarks>
internal static class WorkerPool
{
    /// <summary>Most chunks per call (12 bits of the claim word).</summary>
    public const int MaxChunks = 4095;

    /// <summary>How long an idle worker spins before it blocks.</summary>
    private static readonly long s_spinTicks = Stopwatch.Frequency / 10_000; // 100 µs

    /// <summary>How long the caller polls for the last chunks before it starts yielding.</summary>
    private static readonly long s_pollTicks = Stopwatch.Frequency / 20_000; // 50 µs

    [ThreadStatic] private static bool t_inWork;

    private static readonly object s_growLock = new();
    private static Worker[] s_workers = [];
    private static IParallelWork? s_work;
    private static Exception? s_error;
    private static Shared s_shared;

    /// <summary>
    /// The words every thread touches, a cache line apart: idle workers poll <see cref="Claim"/>,
    /// so the caller's other writes must not invalidate that line.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Shared
    {
        [FieldOffset(64)] public long Claim; // epoch:32 | threads:8 | chunks:12 | next:12
        [FieldOffset(128)] public int Done;
        [FieldOffset(192)] public int Busy;
    }

    /// <summary>
    /// True on a thread while it runs a chunk: a kernel called from inside a chunk runs on that
    /// thread alone (the pool is already shared out).
    /// </summary>
    public static bool InWork => t_inWork;

    /// <summary>
    /// Runs <paramref name="work"/> with every kernel it calls on the calling thread, as inside a
    /// chunk: the pool is neither woken nor used, so no worker spins between its kernels.
    /// </summary>
    public static T RunAlone<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        bool outer = t_inWork;
        t_inWork = true;
        try
        {
            return work();
        }
        finally
        {
            t_inWork = outer;
        }
    }

    /// <summary>
    /// Runs <c>work.Execute(c)</c> for c in [0, chunks) on up to <paramref name="threads"/>
    /// threads (the caller included), and returns when all are done.
    /// </summary>
    public static void Run(IParallelWork work, int chunks, int threads)
    {
        if (chunks > MaxChunks)
            throw new ArgumentOutOfRangeException(nameof(chunks), chunks, $"At most {MaxChunks} chunks per call.");
        threads = Math.Min(Math.Min(threads, chunks), 255);
        if (threads <= 1 || t_inWork || Interlocked.CompareExchange(ref s_shared.Busy, 1, 0) != 0)
        {
            bool outer = t_inWork;
            t_inWork = true;
            try
            {
                for (int c = 0; c < chunks; c++) work.Execute(c);
            }
            finally
            {
                t_inWork = outer;
            }
            return;
        }
        try
        {
            Worker[] workers = EnsureWorkers(threads - 1);
            s_work = work;
            s_error = null;
            Volatile.Write(ref s_shared.Done, 0);
            long epoch = (Volatile.Read(ref s_shared.Claim) >> 32) + 1;
            Volatile.Write(ref s_shared.Claim, (epoch << 32) | ((long)threads << 24) | ((long)chunks << 12));
            for (int w = 0; w < threads - 1; w++) workers[w].WakeIfSleeping();

            ClaimChunks(epoch);
            WaitUntilDone(chunks);
            s_work = null;
            if (s_error is { } error)
                ExceptionDispatchInfo.Capture(error).Throw();
        }
        finally
        {
            Volatile.Write(ref s_shared.Busy, 0);
        }
    }

    /// <summary>
    /// Waits for chunks that workers claimed: polls first (they were sized to finish together),
    /// then yields. Polling is a plain loop of loads, without PAUSE: in a KVM guest a PAUSE loop
    /// can trap to the hypervisor (pause-loop exiting), which deschedules the virtual CPU.
    /// </summary>
    private static void WaitUntilDone(int chunks)
    {
        long start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref s_shared.Done) != chunks)
        {
            if (Stopwatch.GetTimestamp() - start < s_pollTicks) continue;
            var spinner = new SpinWait();
            while (Volatile.Read(ref s_shared.Done) != chunks)
                spinner.SpinOnce(sleep1Threshold: -1);
            return;
        }
    }

    /// <summary>Claims and runs chunks of <paramref name="epoch"/> until none is left.</summary>
    private static void ClaimChunks(long epoch)
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_shared.Claim);
            int next = (int)(claim & 0xFFF), chunks = (int)((claim >> 12) & 0xFFF);
            if (claim >> 32 != epoch || next >= chunks) return;
            if (Interlocked.CompareExchange(ref s_shared.Claim, claim + 1, claim) != claim) continue;
            bool outer = t_inWork;
            t_inWork = true;
            try
            {
                s_work!.Execute(next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref s_error, e, null);
            }
            finally
            {
                t_inWork = outer;
            }
            Interlocked.Increment(ref s_shared.Done);
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

    // A worker lives as long as the process (the pool only grows), so its semaphore is never disposed.
#pragma warning disable CA1001
    private sealed class Worker
#pragma warning restore CA1001
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
            long seen = Volatile.Read(ref s_shared.Claim) >> 32;
            while (true)
            {
                long epoch = WaitForEpoch(seen);
                seen = epoch;
                int threads = (int)((Volatile.Read(ref s_shared.Claim) >> 24) & 0xFF);
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
                long epoch = Volatile.Read(ref s_shared.Claim) >> 32;
                if (epoch != seen) return epoch;
                // Plain polling (see WaitUntilDone), with one PAUSE every 256 polls: far enough
                // apart not to count as a PAUSE loop, and it yields a little to an SMT sibling.
                if ((++spins & 255) != 0) continue;
                if (X86Base.IsSupported) X86Base.Pause();
                // The idle time counts from the end of the last call: a worker that found every
                // chunk of a long call taken must still be awake for the next one, or it would
                // fall behind for good, each wake-up arriving after the caller took everything.
                if (Volatile.Read(ref s_shared.Busy) != 0) start = Stopwatch.GetTimestamp();
                if (Stopwatch.GetTimestamp() - start < s_spinTicks) continue;

                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref s_shared.Claim) >> 32 == seen)
                    _wake.Wait();
                else if (Interlocked.Exchange(ref _sleeping, 0) == 0)
                    _wake.Wait(); // a caller took the flag and released us: consume it
                start = Stopwatch.GetTimestamp();
                spins = 0;
            }
        }
    }
}
