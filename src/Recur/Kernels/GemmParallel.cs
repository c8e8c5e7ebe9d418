namespace Recur.Kernels;

/// <summary>
/// Chooses the micro-kernel and splits a GEMM across the <see cref="WorkerPool"/>.
/// </summary>
/// <remarks>
/// Work is split into blocks of whole column panels (N) or whole row panels (M), never along K:
/// every element of C is then computed by the same chain of operations on whichever thread runs
/// it, so results are bit-identical for every thread count. The larger of M and N is split, so
/// that the operand each thread packs again for itself is the smaller one.
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

    /// <summary>Chunks per thread when the caller packs A once for all of them.</summary>
    private const int SharedAChunksPerThread = 4;

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
        int threads = (int)Math.Min(KernelSettings.Threads, Math.Max(1, 2.0 * m * n * k / MinFlopsPerThread));
        int rowPanels = (int)(((long)m + TKernel.MR - 1) / TKernel.MR);
        int colPanels = (int)(((long)n + TKernel.NR - 1) / TKernel.NR);
        bool splitN = (n >= m && colPanels >= threads) || rowPanels < threads;
        if (threads <= 1 || (splitN ? colPanels : rowPanels) <= 1)
        {
            GemmBlocked.Run<TKernel>(transA, transB, m, n, k, a, lda, null, b, ldb, packedB, c, ldc, accumulate);
            return;
        }

        // Chunks beyond one per thread let the caller take over the share of a worker that is slow
        // to start, but each chunk packs its own copy of the operand that is not split. When that
        // is an A small enough for one block (the recurrent step: B rows × H), the caller packs it
        // once for all chunks, and chunks are cheap. Otherwise one chunk per thread.
        float* packedA = null;
        int chunksPerThread = 1;
        if (splitN && GemmBlocked.FitsOneABlock<TKernel>(m, k))
        {
            packedA = GemmWorkspace.Current.A(GemmBlocked.ABlockFloats<TKernel>(GemmBlocked.RoundUp(m, TKernel.MR), k));
            GemmPacking.PackA(TKernel.MR, transA, a, lda, 0, m, 0, k, packedA);
            chunksPerThread = SharedAChunksPerThread;
        }
        int chunks = Math.Min(threads * chunksPerThread, Math.Min(splitN ? colPanels : rowPanels, WorkerPool.MaxChunks));
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
                // Columns [j0, j1) of op(B) and C.
                int panels = (int)(((long)_n + TKernel.NR - 1) / TKernel.NR);
                int j0 = (int)((long)panels * chunk / _chunks) * TKernel.NR;
                int j1 = (int)Math.Min(_n, (long)panels * (chunk + 1) / _chunks * TKernel.NR);
                if (j1 <= j0) return;
                float* b = _transB ? _b + j0 * _ldb : _b + j0;
                float* packed = _packedB == null ? null : _packedB + (nint)j0 * _k;
                GemmBlocked.Run<TKernel>(_transA, _transB, _m, j1 - j0, _k, _a, _lda, _packedA, b, _ldb, packed,
                    _c + j0, _ldc, _accumulate);
            }
            else
            {
                // Rows [i0, i1) of op(A) and C.
                int panels = (int)(((long)_m + TKernel.MR - 1) / TKernel.MR);
                int i0 = (int)((long)panels * chunk / _chunks) * TKernel.MR;
                int i1 = (int)Math.Min(_m, (long)panels * (chunk + 1) / _chunks * TKernel.MR);
                if (i1 <= i0) return;
                float* a = _transA ? _a + i0 : _a + i0 * _lda;
                GemmBlocked.Run<TKernel>(_transA, _transB, i1 - i0, _n, _k, a, _lda, null, _b, _ldb, _packedB,
                    _c + i0 * _ldc, _ldc, _accumulate);
            }
        }
    }
}
