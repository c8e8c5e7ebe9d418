using System.Runtime.InteropServices;
using Recur.Kernels;

namespace Recur.Layers.Recurrent;

internal static unsafe partial class SequenceLoop
{
    /// <summary>
    /// Runs the forward steps of a one-row batch with the hidden units split into parts, one
    /// per thread: step t's parts all need h_{t−1}, so each step waits for the last one's parts.
    /// </summary>
    /// <remarks>
    /// Parts are claimed one at a time, in (step, part) order, through one counter; a thread
    /// claims a part of step t only once every part of step t − 1 is done. A thread never waits
    /// for a part nobody has claimed: if the other workers are slow to come (or the pool is busy),
    /// the caller claims every part itself, and the loop still ends. The units of a part do not
    /// depend on which thread runs it, so results do not depend on the thread count.
    /// </remarks>
    private sealed class UnitSteps : IParallelWork
    {
        [ThreadStatic] private static UnitSteps? t_current;

        /// <summary>Fewest units a part takes: below, the step's hand-over costs more than the split saves.</summary>
        private const int MinUnitsPerPart = 32;

        private RecurrentCell? _cell;
        private DirectionCache? _cache;
        private bool[]? _valid;
        private int _parts;
        private Counters _counters;

        /// <summary>Claim and completion counters, on separate cache lines.</summary>
        [StructLayout(LayoutKind.Explicit, Size = 192)]
        private struct Counters
        {
            [FieldOffset(64)] public long Next; // next (step, part) to claim: step·parts + part
            [FieldOffset(128)] public long Done; // parts finished
        }

        public static void Run(RecurrentCell cell, DirectionCache cache, bool[]? valid)
        {
            int threads = KernelSettings.ThreadsHere;
            int parts = Math.Max(1, Math.Min(threads, cell.H / MinUnitsPerPart));
            var job = t_current ??= new UnitSteps();
            (job._cell, job._cache, job._valid, job._parts) = (cell, cache, valid, parts);
            job._counters = default;
            try
            {
                if (parts == 1) job.Execute(0);
                else WorkerPool.Run(job, parts, parts);
            }
            finally
            {
                (job._cell, job._cache, job._valid) = (null, null, null);
            }
        }

        public void Execute(int participant)
        {
            var cache = _cache!;
            int T = cache.T, parts = _parts, H = _cell!.H;
            long total = (long)T * parts;
            while (true)
            {
                long n = Volatile.Read(ref _counters.Next);
                if (n >= total) return;
                long step = n / parts;
                WaitFor(step * parts); // every part of the previous step
                if (Interlocked.CompareExchange(ref _counters.Next, n + 1, n) != n) continue;
                try
                {
                    int part = (int)(n % parts);
                    int s = (int)step, t = cache.Reverse ? T - 1 - s : s;
                    ForwardUnits(_cell, cache, _valid, t, UnitStart(part, H), part == parts - 1 ? H : UnitStart(part + 1, H));
                }
                finally
                {
                    Interlocked.Increment(ref _counters.Done); // even on failure, so no thread waits forever
                }
            }
        }

        /// <summary>Spins until <paramref name="done"/> parts are finished (all were claimed by running threads).</summary>
        private void WaitFor(long done)
        {
            if (Volatile.Read(ref _counters.Done) >= done) return;
            var spinner = new SpinWait();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _counters.Done) < done)
            {
                // Plain polling first (see WorkerPool): the part being waited for is short.
                if (System.Diagnostics.Stopwatch.GetTimestamp() - start < System.Diagnostics.Stopwatch.Frequency / 20_000) continue;
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        /// <summary>Part boundaries on whole unit panels; the last part takes the rest.</summary>
        private int UnitStart(int part, int units)
            => (int)((long)units * part / _parts) / UnitPanels.Width * UnitPanels.Width;
    }
}
