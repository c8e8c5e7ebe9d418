using System.Buffers;

namespace Recur.Kernels;

/// <summary>
/// Chooses the micro-kernel and splits a GEMM across the <see cref="WorkerPool"/>.
/// </summary>
/// <remarks>
/// Work is split into blocks of whole column panels (N) or whole row panels (M), never along K:
/// every element of C is then computed by the same chain of operations on whichever thread runs
/// it, so results are bit-identical for every thread count. The larger of M and N is split, so
/// that the operand that is not split is the smaller one; it is packed once up front where that
/// is cheap (see <see cref="Multiply{TKernel}"/>).
/// </remarks>
internal static unsafe class GemmParallel
{
    /// <summary>
    /// Each thread gets at least this many flops (≈ 1.2 µs of work at the AVX-512 peak): below,
    /// the hand-off costs more than it saves. So a product is split from 2·2¹⁸ flops on.
    /// </summary>
    internal const double MinFlopsPerThread = 1 << 18;

    /// <summary>The smallest product that two threads share.</summary>
    internal const double MinParallelFlops = 2 * MinFlopsPerThread;

    /// <summary>Chunks per thread when the operand that is not split is packed once for all of them.</summary>
    private const int SharedChunksPerThread = 4;

    /// <summary>Largest op(B) packed up front for a row split (32 MiB; beyond, each thread packs its own blocks).</summary>
    private const long MaxSharedBFloats = 8L << 20;

    public static void Multiply(GemmKernelKind kernel,
        bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* packedB,
        float* c, nint ldc, bool accumulate)
    {
        switch (kernel)
        {
            case GemmKernelKind.Vector512:
                Multiply<GemmKernel512>(transA, transB, m, n, k, a, lda, b, ldb, packedB, c, ldc, accumulate);
                break;
            case GemmKernelKind.Vector256:
                Multiply<GemmKernel256>(transA, transB, m, n, k, a, lda, b, ldb, packedB, c, ldc, accumulate);
                break;
            default:
                Multiply<GemmKernelScalar>(transA, transB, m, n, k, a, lda, b, ldb, packedB, c, ldc, accumulate);
                break;
        }
    }

    private static void Multiply<TKernel>(
        bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* b, nint ldb, float* packedB,
        float* c, nint ldc, bool accumulate)
        where TKernel : IGemmKernel
    {
        int threads = (int)Math.Min(KernelSettings.ThreadsHere, Math.Max(1, 2.0 * m * n * k / MinFlopsPerThread));
        int rowPanels = (int)(((long)m + TKernel.MR - 1) / TKernel.MR);
        int colPanels = (int)(((long)n + TKernel.NR - 1) / TKernel.NR);
        bool splitN = (n >= m && colPanels >= threads) || rowPanels < threads;
        if (threads <= 1 || (splitN ? colPanels : rowPanels) <= 1)
        {
            GemmBlocked.Run<TKernel>(transA, transB, m, n, k, a, lda, null, b, ldb, packedB, c, ldc, accumulate);
            return;
        }

        // Chunks beyond one per thread let the caller take over the share of a worker that is slow
        // (or descheduled), but each chunk packs its own copy of the operand that is not split.
        // So that operand is packed once, up front, when that is cheap: an A that fits one block
        // (the recurrent step: batch rows × H), packed by the caller; or a B of moderate size,
        // packed in parallel by column panels. Otherwise one chunk per thread.
        if (splitN && GemmBlocked.FitsOneABlock<TKernel>(m, k))
        {
            float* packedA = GemmWorkspace.Current.A(GemmBlocked.ABlockFloats<TKernel>(GemmBlocked.RoundUp(m, TKernel.MR), k));
            GemmPacking.PackA(TKernel.MR, transA, a, lda, 0, m, 0, k, packedA);
            Split<TKernel>(transA, transB, m, n, k, a, lda, packedA, b, ldb, packedB, c, ldc, accumulate,
                splitN, Math.Min(threads * SharedChunksPerThread, colPanels), threads);
        }
        else if (!splitN && packedB == null && (long)k * colPanels * TKernel.NR <= MaxSharedBFloats)
        {
            int floats = k * colPanels * TKernel.NR;
            float[] shared = ArrayPool<float>.Shared.Rent(floats + 16);
            try
            {
                fixed (float* pinned = shared)
                {
                    float* packed = GemmWorkspace.AlignUp(pinned);
                    var pack = PackBJob<TKernel>.Current;
                    pack.Set(transB, k, n, b, ldb, packed, Math.Min(Math.Min(threads * SharedChunksPerThread, colPanels), WorkerPool.MaxChunks));
                    try
                    {
                        WorkerPool.Run(pack, pack.Chunks, threads);
                    }
                    finally
                    {
                        pack.Clear();
                    }
                    Split<TKernel>(transA, transB, m, n, k, a, lda, null, null, 0, packed, c, ldc, accumulate,
                        splitN, Math.Min(threads * SharedChunksPerThread, rowPanels), threads);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(shared);
            }
        }
        else
        {
            Split<TKernel>(transA, transB, m, n, k, a, lda, null, b, ldb, packedB, c, ldc, accumulate,
                splitN, Math.Min(threads, splitN ? colPanels : rowPanels), threads);
        }
    }

    private static void Split<TKernel>(
        bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* packedA, float* b, nint ldb, float* packedB,
        float* c, nint ldc, bool accumulate, bool splitN, int chunks, int threads)
        where TKernel : IGemmKernel
    {
        chunks = Math.Min(chunks, WorkerPool.MaxChunks);
        var job = GemmJob<TKernel>.Current;
        job.Set(transA, transB, m, n, k, a, lda, packedA, b, ldb, packedB, c, ldc, accumulate, splitN, chunks);
        try
        {
            WorkerPool.Run(job, chunks, threads);
        }
        finally
        {
            job.Clear();
        }
    }

    /// <summary>
    /// Packs all of op(B) (k, n) into (k, NR) column panels, as <see cref="PackedMatrix"/> does;
    /// chunk p packs a contiguous range of panels.
    /// </summary>
    private sealed class PackBJob<TKernel> : IParallelWork where TKernel : IGemmKernel
    {
        [ThreadStatic] private static PackBJob<TKernel>? t_current;

        private bool _transB;
        private int _k, _n;
        private float* _b, _dst;
        private nint _ldb;

        public static PackBJob<TKernel> Current => t_current ??= new PackBJob<TKernel>();

        public int Chunks { get; private set; }

        public void Set(bool transB, int k, int n, float* b, nint ldb, float* dst, int chunks)
        {
            (_transB, _k, _n, _ldb, Chunks) = (transB, k, n, ldb, chunks);
            _b = b;
            _dst = dst;
        }

        public void Clear()
        {
            _b = null;
            _dst = null;
        }

        public void Execute(int chunk)
        {
            var (j0, j1) = PanelRange(_n, TKernel.NR, chunk, Chunks);
            if (j1 > j0)
                GemmPacking.PackB(TKernel.NR, _transB, _b, _ldb, 0, _k, j0, j1 - j0, _dst + (nint)j0 * _k);
        }
    }

    /// <summary>
    /// Columns (or rows) [start, end) of chunk <paramref name="chunk"/> when <paramref name="size"/>
    /// is split in whole panels of <paramref name="width"/> into <paramref name="chunks"/> chunks.
    /// </summary>
    private static (int Start, int End) PanelRange(int size, int width, int chunk, int chunks)
    {
        long panels = ((long)size + width - 1) / width;
        int start = (int)(panels * chunk / chunks) * width;
        int end = (int)Math.Min(size, panels * (chunk + 1) / chunks * width);
        return (start, end);
    }

    /// <summary>
    /// One GEMM split into chunks: chunk p owns a contiguous range of column (or row) panels and
    /// runs the single-thread <see cref="GemmBlocked"/> on that sub-problem. One instance per
    /// calling thread, reused, so that a parallel call allocates nothing.
    /// </summary>
    private sealed class GemmJob<TKernel> : IParallelWork where TKernel : IGemmKernel
    {
        [ThreadStatic] private static GemmJob<TKernel>? t_current;

        private bool _transA, _transB, _accumulate, _splitN;
        private int _m, _n, _k, _chunks;
        private float* _a, _packedA, _b, _packedB, _c;
        private nint _lda, _ldb, _ldc;

        public static GemmJob<TKernel> Current => t_current ??= new GemmJob<TKernel>();

        public void Set(bool transA, bool transB, int m, int n, int k,
            float* a, nint lda, float* packedA, float* b, nint ldb, float* packedB,
            float* c, nint ldc, bool accumulate, bool splitN, int chunks)
        {
            (_transA, _transB, _m, _n, _k) = (transA, transB, m, n, k);
            _a = a; _packedA = packedA; _b = b; _packedB = packedB; _c = c;
            (_lda, _ldb, _ldc) = (lda, ldb, ldc);
            (_accumulate, _splitN, _chunks) = (accumulate, splitN, chunks);
        }

        public void Clear()
        {
            _a = null; _packedA = null; _b = null; _packedB = null; _c = null;
        }

        public void Execute(int chunk)
        {
            if (_splitN)
            {
                var (j0, j1) = PanelRange(_n, TKernel.NR, chunk, _chunks);
                if (j1 <= j0) return;
                float* b = _transB ? _b + j0 * _ldb : _b + j0;
                float* packed = _packedB == null ? null : _packedB + (nint)j0 * _k;
                GemmBlocked.Run<TKernel>(_transA, _transB, _m, j1 - j0, _k, _a, _lda, _packedA, b, _ldb, packed,
                    _c + j0, _ldc, _accumulate);
            }
            else
            {
                var (i0, i1) = PanelRange(_m, TKernel.MR, chunk, _chunks);
                if (i1 <= i0) return;
                float* a = _transA ? _a + i0 : _a + i0 * _lda;
                GemmBlocked.Run<TKernel>(_transA, _transB, i1 - i0, _n, _k, a, _lda, null, _b, _ldb, _packedB,
                    _c + i0 * _ldc, _ldc, _accumulate);
            }
        }
    }
}
