using Recur.Kernels;

namespace Recur.Layers.Recurrent;

internal static unsafe partial class SequenceLoop
{
    /// <summary>
    /// Runs a time loop on blocks of batch rows, one block per thread, in one hand-off to the
    /// <see cref="WorkerPool"/>. A batch too small to share runs on the caller, whose step
    /// multiplies may then use the pool themselves.
    /// </summary>
    private sealed class RowBlocks : IParallelWork
    {
        [ThreadStatic] private static RowBlocks? t_current;

        public enum Pass { Forward, Backward }

        private Pass _pass;
        private RecurrentCell? _cell;
        private DirectionCache? _cache;
        private bool[]? _valid;
        private float* _dy;
        private double[]? _normParts;
        private LineAlignedBuffer? _dgh;
        private int _blocks;

        public static void Run(Pass pass, RecurrentCell cell, DirectionCache cache, bool[]? valid, float* dy, double[]? normParts,
            LineAlignedBuffer? dgh = null)
        {
            int threads = KernelSettings.ThreadsHere;
            int blocks = Math.Max(1, Math.Min(threads, cache.B / MinRowsPerBlock));
            var job = t_current ??= new RowBlocks();
            (job._pass, job._cell, job._cache, job._valid, job._normParts, job._dgh, job._blocks)
                = (pass, cell, cache, valid, normParts, dgh, blocks);
            job._dy = dy;
            try
            {
                if (blocks == 1) job.Execute(0);
                else WorkerPool.Run(job, blocks, blocks);
            }
            finally
            {
                (job._cell, job._cache, job._valid, job._normParts, job._dgh) = (null, null, null, null, null);
                job._dy = null;
            }
        }

        public void Execute(int block)
        {
            // Block boundaries on multiples of MinRowsPerBlock; the last block takes the rest.
            int B = _cache!.B;
            int b0 = RowStart(block, B), b1 = block == _blocks - 1 ? B : RowStart(block + 1, B);
            if (_pass == Pass.Forward) ForwardRows(_cell!, _cache, _valid, b0, b1 - b0);
            else BackwardRows(_cell!, _cache, _valid, _dy, _normParts, _dgh!, b0, b1 - b0);
        }

        private int RowStart(int block, int batch) => (int)((long)batch * block / _blocks) / MinRowsPerBlock * MinRowsPerBlock;
    }
}
