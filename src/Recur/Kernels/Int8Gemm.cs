using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>Which int8 tiles <see cref="Int8Gemm"/> runs.</summary>
internal enum Int8KernelKind
{
    /// <summary><see cref="Int8Gemm.Reference"/>: any CPU.</summary>
    Scalar,

    /// <summary><see cref="Int8KernelAvx2"/>: VPMADDWD.</summary>
    Avx2,

    /// <summary>VPDPBUSD (AVX-VNNI).</summary>
    AvxVnni,
}

// Shapes: M rows of activations, K inputs, N output channels; A (M, KP) u8 codes (QuantizedRows),
// W (N, K) int8 codes in panels of 16 channels (QuantizedMatrix), C (M, N) float, row stride ldc.

/// <summary>
/// The int8 product of dynamic quantisation: <c>C (M, n1 − n0) (+)= x·W[n0:n1]ᵀ</c> from
/// activations quantised per row (<see cref="QuantizedRows"/>) and weights quantised per output
/// channel (<see cref="QuantizedMatrix"/>), with exact integer sums:
/// <code>
/// acc[m, n] = Σ_k q[m, k]·Q[n, k]                     (int32; u8 × s8)
/// C[m, n]  = (acc[m, n] − z_m·Σ_k Q[n, k]) · (s_m·w_n)   (float, + C when accumulating)
/// </code>
/// </summary>
/// <remarks>
/// <para>The fast path is AVX-VNNI's VPDPBUSD (<see cref="AvxVnni"/>, 256 bits): the activations
/// are its unsigned operand, the weights its signed one, four products summed into each int32
/// lane without saturation (|Σ| ≤ 4·255·127). A tile is 6 rows × 16 channels (12 sums in 12 of
/// the 16 registers VEX code can name); the rows left over go one at a time, 64 channels at once.
/// Without AVX-VNNI, AVX2's VPMADDWD on widened codes (<see cref="Int8KernelAvx2"/>); without
/// AVX2, <see cref="Reference"/>. The integer sums are exact, and the float step after them is
/// the same operations in all, so every path gives the same bits, for every split of the rows
/// across threads.</para>
/// <para>The start n0 of a column range is a multiple of 16 (a panel start); ranges that
/// end inside a panel store its first columns only.</para>
/// </remarks>
internal static unsafe class Int8Gemm
{
    private const int MR = 6;
    private const int NR = QuantizedMatrix.PanelWidth;

    /// <summary>Channels of one column block: 128 KiB of weight panels per block at most, so a block stays in L2 while the row tiles pass.</summary>
    private const int BlockBytes = 128 << 10;

    /// <summary>The fastest int8 tiles this CPU runs, chosen once at startup.</summary>
    public static Int8KernelKind BestKernel { get; } =
        AvxVnni.IsSupported ? Int8KernelKind.AvxVnni : Avx2.IsSupported ? Int8KernelKind.Avx2 : Int8KernelKind.Scalar;

    private static Int8KernelKind s_kernel = BestKernel;

    /// <summary>The int8 tiles products use; tests switch it to cover every path.</summary>
    public static Int8KernelKind Kernel
    {
        get => s_kernel;
        set
        {
            bool supported = value switch
            {
                Int8KernelKind.AvxVnni => AvxVnni.IsSupported,
                Int8KernelKind.Avx2 => Avx2.IsSupported,
                _ => true,
            };
            if (!supported) throw new ArgumentOutOfRangeException(nameof(value), value, $"This CPU does not run the {value} int8 tiles.");
            s_kernel = value;
        }
    }

    /// <summary>C (M, n1 − n0) (+)= dequant(q(A) · Q[n0:n1]ᵀ) for every row of <paramref name="a"/>; checked.</summary>
    public static void Multiply(QuantizedRows a, QuantizedMatrix w, int n0, int n1, Span<float> c, int ldc, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(w);
        Check(a, w, n0, n1);
        Gemm.CheckOperand("C", a.Rows, n1 - n0, ldc, c.Length);
        if (a.Rows == 0 || n1 == n0) return;
        fixed (float* pc = c) Rows(a, 0, a.Rows, w, n0, n1, pc, ldc, accumulate);
    }

    /// <summary>As <see cref="Multiply(QuantizedRows, QuantizedMatrix, int, int, Span{float}, int, bool)"/>, unchecked, through a pointer.</summary>
    public static void Multiply(QuantizedRows a, QuantizedMatrix w, int n0, int n1, float* c, nint ldc, bool accumulate)
    {
        if (a.Rows == 0 || n1 <= n0) return;
        Rows(a, 0, a.Rows, w, n0, n1, c, ldc, accumulate);
    }

    private static void Check(QuantizedRows a, QuantizedMatrix w, int n0, int n1)
    {
        if (a.K != w.K)
            throw new ArgumentException($"The activations have K={a.K} features per row; the weights expect K={w.K}.", nameof(a));
        if (n0 < 0 || n1 > w.N || n0 > n1 || n0 % NR != 0)
            throw new ArgumentOutOfRangeException(nameof(n0), $"Columns [{n0}, {n1}) of N={w.N}: expected 0 ≤ n0 ≤ n1 ≤ N with n0 a multiple of {NR}.");
    }

    /// <summary>Rows [m0, m1) of C: column blocks, then tiles of rows, then panels.</summary>
    private static void Rows(QuantizedRows a, int m0, int m1, QuantizedMatrix w, int n0, int n1, float* c, nint ldc, bool accumulate)
    {
        var kernel = Kernel;
        if (kernel == Int8KernelKind.Scalar)
        {
            ReferenceRows(a, m0, m1, w, n0, n1, c, ldc, accumulate);
            return;
        }
        bool vnni = kernel == Int8KernelKind.AvxVnni;
        int mr = vnni ? MR : Int8KernelAvx2.MR;
        int* acc = stackalloc int[MR * 4 * NR]; // one tile's int32 sums: (6, 16) or (1, 64)
        int groups = a.Stride / 4;
        int block = Math.Max(NR, BlockBytes / Math.Max(1, w.Stride * NR) * NR);
        fixed (byte* codes = a.Codes)
        fixed (float* sa = a.Scales, sw = w.Scales)
        fixed (int* za = a.ZeroPoints, rs = w.RowSums)
        {
            for (int b0 = n0; b0 < n1; b0 += block)
            {
                int b1 = Math.Min(n1, b0 + block);
                int m = m0;
                for (; m + mr <= m1; m += mr)
                {
                    byte* rowA = codes + (nint)m * a.Stride;
                    for (int n = b0; n < b1; n += NR)
                    {
                        if (vnni) Tile6(rowA, a.Stride, w.Panel(n / NR), groups, acc);
                        else Int8KernelAvx2.Tile2(rowA, a.Stride, w.Panel(n / NR), groups, acc);
                        int cols = Math.Min(NR, b1 - n);
                        for (int r = 0; r < mr; r++)
                            Dequantize(acc + r * NR, cols, sa[m + r], za[m + r], sw + n, rs + n, c + (m + r - m0) * ldc + (n - n0), accumulate);
                    }
                }
                for (; m < m1; m++)
                {
                    byte* rowA = codes + (nint)m * a.Stride;
                    int n = b0;
                    for (; vnni && n + 4 * NR <= b1; n += 4 * NR)
                    {
                        Row4Panels(rowA, w.Panel(n / NR), w.Stride * NR, groups, acc);
                        for (int q = 0; q < 4; q++)
                            Dequantize(acc + q * NR, NR, sa[m], za[m], sw + n + q * NR, rs + n + q * NR, c + (m - m0) * ldc + (n - n0) + q * NR, accumulate);
                    }
                    for (; n < b1; n += NR)
                    {
                        if (vnni) Row1Panel(rowA, w.Panel(n / NR), groups, acc);
                        else Int8KernelAvx2.Tile1(rowA, w.Panel(n / NR), groups, acc);
                        Dequantize(acc, Math.Min(NR, b1 - n), sa[m], za[m], sw + n, rs + n, c + (m - m0) * ldc + (n - n0), accumulate);
                    }
                }
            }
        }
        w.KeepAlive();
    }

    /// <summary>acc (6, 16) = Σ_groups: six rows of A (a, stride lda) times one panel, 12 VPDPBUSD chains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6(byte* a, nint lda, sbyte* panel, int groups, int* acc)
    {
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        byte* a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
        for (int p = 0; p < groups; p++)
        {
            nint o = (nint)p * 4;
            var w0 = Vector256.LoadAligned(panel + o * 16);
            var w1 = Vector256.LoadAligned(panel + o * 16 + 32);
            var x = Vector256.Create(Unsafe.ReadUnaligned<int>(a + o)).AsByte();
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, w0);
            c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, w1);
            x = Vector256.Create(Unsafe.ReadUnaligned<int>(a1 + o)).AsByte();
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, w0);
            c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, w1);
            x = Vector256.Create(Unsafe.ReadUnaligned<int>(a2 + o)).AsByte();
            c20 = AvxVnni.MultiplyWideningAndAdd(c20, x, w0);
            c21 = AvxVnni.MultiplyWideningAndAdd(c21, x, w1);
            x = Vector256.Create(Unsafe.ReadUnaligned<int>(a3 + o)).AsByte();
            c30 = AvxVnni.MultiplyWideningAndAdd(c30, x, w0);
            c31 = AvxVnni.MultiplyWideningAndAdd(c31, x, w1);
            x = Vector256.Create(Unsafe.ReadUnaligned<int>(a4 + o)).AsByte();
            c40 = AvxVnni.MultiplyWideningAndAdd(c40, x, w0);
            c41 = AvxVnni.MultiplyWideningAndAdd(c41, x, w1);
            x = Vector256.Create(Unsafe.ReadUnaligned<int>(a5 + o)).AsByte();
            c50 = AvxVnni.MultiplyWideningAndAdd(c50, x, w0);
            c51 = AvxVnni.MultiplyWideningAndAdd(c51, x, w1);
        }
        c00.Store(acc); c01.Store(acc + 8);
        c10.Store(acc + 16); c11.Store(acc + 24);
        c20.Store(acc + 32); c21.Store(acc + 40);
        c30.Store(acc + 48); c31.Store(acc + 56);
        c40.Store(acc + 64); c41.Store(acc + 72);
        c50.Store(acc + 80); c51.Store(acc + 88);
    }

    /// <summary>acc (4 × 16) = one row of A times four consecutive panels (<paramref name="stride"/> bytes apart): eight chains.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row4Panels(byte* a, sbyte* panel, nint stride, int groups, int* acc)
    {
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        sbyte* p1 = panel + stride, p2 = p1 + stride, p3 = p2 + stride;
        for (int p = 0; p < groups; p++)
        {
            nint o = (nint)p * 64;
            var x = Vector256.Create(Unsafe.ReadUnaligned<int>(a + (nint)p * 4)).AsByte();
            c00 = AvxVnni.MultiplyWideningAndAdd(c00, x, Vector256.LoadAligned(panel + o));
            c01 = AvxVnni.MultiplyWideningAndAdd(c01, x, Vector256.LoadAligned(panel + o + 32));
            c10 = AvxVnni.MultiplyWideningAndAdd(c10, x, Vector256.LoadAligned(p1 + o));
            c11 = AvxVnni.MultiplyWideningAndAdd(c11, x, Vector256.LoadAligned(p1 + o + 32));
            c20 = AvxVnni.MultiplyWideningAndAdd(c20, x, Vector256.LoadAligned(p2 + o));
            c21 = AvxVnni.MultiplyWideningAndAdd(c21, x, Vector256.LoadAligned(p2 + o + 32));
            c30 = AvxVnni.MultiplyWideningAndAdd(c30, x, Vector256.LoadAligned(p3 + o));
            c31 = AvxVnni.MultiplyWideningAndAdd(c31, x, Vector256.LoadAligned(p3 + o + 32));
        }
        c00.Store(acc); c01.Store(acc + 8);
        c10.Store(acc + 16); c11.Store(acc + 24);
        c20.Store(acc + 32); c21.Store(acc + 40);
        c30.Store(acc + 48); c31.Store(acc + 56);
    }

    /// <summary>acc (16) = one row of A times one panel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row1Panel(byte* a, sbyte* panel, int groups, int* acc)
    {
        Vector256<int> c0 = default, c1 = default;
        for (int p = 0; p < groups; p++)
        {
            var x = Vector256.Create(Unsafe.ReadUnaligned<int>(a + (nint)p * 4)).AsByte();
            c0 = AvxVnni.MultiplyWideningAndAdd(c0, x, Vector256.LoadAligned(panel + (nint)p * 64));
            c1 = AvxVnni.MultiplyWideningAndAdd(c1, x, Vector256.LoadAligned(panel + (nint)p * 64 + 32));
        }
        c0.Store(acc);
        c1.Store(acc + 8);
    }

    /// <summary>
    /// One row's 16 (or the first <paramref name="cols"/>) int32 sums to floats:
    /// dst[j] (+)= (acc[j] − z·rs[j]) · (s·w[j]), the same operations lane by lane as <see cref="Value"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dequantize(int* acc, int cols, float s, int z, float* w, int* rs, float* dst, bool accumulate)
    {
        if (cols == NR && Vector256.IsHardwareAccelerated)
        {
            var vz = Vector256.Create(z);
            var vs = Vector256.Create(s);
            for (int h = 0; h < NR; h += 8)
            {
                var v = Vector256.ConvertToSingle(Vector256.Load(acc + h) - vz * Vector256.Load(rs + h)) * (vs * Vector256.Load(w + h));
                if (accumulate) v = Vector256.Load(dst + h) + v;
                v.Store(dst + h);
            }
            return;
        }
        for (int j = 0; j < cols; j++)
        {
            float v = Value(acc[j], s, z, w[j], rs[j]);
            dst[j] = accumulate ? dst[j] + v : v;
        }
    }

    /// <summary>One element from its integer sum: (acc − z·Σ_k Q) · (s·w).</summary>
    private static float Value(int acc, float s, int z, float w, int rowSum) => (float)(acc - z * rowSum) * (s * w);

    /// <summary>The plain definition over every row of <paramref name="a"/>, the oracle of the tests and the path without AVX-VNNI.</summary>
    public static void Reference(QuantizedRows a, QuantizedMatrix w, int n0, int n1, Span<float> c, int ldc, bool accumulate)
    {
        Check(a, w, n0, n1);
        Gemm.CheckOperand("C", a.Rows, n1 - n0, ldc, c.Length);
        if (a.Rows == 0 || n1 == n0) return;
        fixed (float* pc = c) ReferenceRows(a, 0, a.Rows, w, n0, n1, pc, ldc, accumulate);
    }

    private static void ReferenceRows(QuantizedRows a, int m0, int m1, QuantizedMatrix w, int n0, int n1, float* c, nint ldc, bool accumulate)
    {
        for (int m = m0; m < m1; m++)
            for (int n = n0; n < n1; n++)
            {
                int acc = 0;
                for (int k = 0; k < a.K; k++) acc += a.Codes[(nint)m * a.Stride + k] * w.Code(n, k);
                float v = Value(acc, a.Scales[m], a.ZeroPoints[m], w.Scales[n], w.RowSums[n]);
                ref float dst = ref c[(m - m0) * ldc + (n - n0)];
                dst = accumulate ? dst + v : v;
            }
    }

    /// <summary>
    /// C (M, N) (+)= x·Wᵀ for float rows x (M, K): each row quantised (<see cref="QuantizedRows"/>),
    /// then multiplied; rows are split in blocks across <see cref="KernelSettings.Threads"/>
    /// threads, each block quantised and multiplied by the thread that takes it. The input
    /// projection of every step of a sequence and a Dense layer over all rows run here.
    /// </summary>
    public static void MultiplyRows(ReadOnlySpan<float> x, int rows, int k, QuantizedMatrix w, Span<float> c, bool accumulate = false)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (k != w.K) throw new ArgumentException($"x has K={k} features per row; the weights expect K={w.K}.", nameof(k));
        Gemm.CheckOperand("x", rows, k, k, x.Length);
        Gemm.CheckOperand("C", rows, w.N, w.N, c.Length);
        if (rows == 0 || w.N == 0) return;
        var job = RowsJob.Current;
        job.A.Resize(rows, k);
        int blocks = (rows + RowsJob.BlockRows - 1) / RowsJob.BlockRows;
        double ops = (double)rows * w.N * k;
        int threads = (int)Math.Min(Math.Min(KernelSettings.ThreadsHere, blocks), Math.Max(1, ops / RowsJob.MinOpsPerThread));
        fixed (float* px = x, pc = c)
        {
            job.Set(px, k, w, pc, accumulate, rows);
            try
            {
                int chunks = Math.Min(blocks, WorkerPool.MaxChunks);
                if (threads <= 1)
                    for (int chunk = 0; chunk < chunks; chunk++) job.Execute(chunk);
                else WorkerPool.Run(job, chunks, threads);
            }
            finally
            {
                job.Clear();
            }
        }
    }

    /// <summary>One block of rows of <see cref="MultiplyRows"/>: quantise, then multiply.</summary>
    private sealed class RowsJob : IParallelWork
    {
        /// <summary>Rows per block: whole tiles of 6.</summary>
        public const int BlockRows = 8 * MR;

        /// <summary>Multiply-adds below which a second thread costs more than it saves.</summary>
        public const double MinOpsPerThread = 1 << 19;

        [ThreadStatic] private static RowsJob? t_current;

        public static RowsJob Current => t_current ??= new RowsJob();

        public QuantizedRows A { get; } = new();

        private float* _x;
        private nint _ldx;
        private QuantizedMatrix? _w;
        private float* _c;
        private bool _accumulate;
        private int _rows, _blocks;

        public void Set(float* x, nint ldx, QuantizedMatrix w, float* c, bool accumulate, int rows)
        {
            _x = x;
            _c = c;
            (_ldx, _w, _accumulate, _rows) = (ldx, w, accumulate, rows);
            _blocks = (rows + BlockRows - 1) / BlockRows;
        }

        public void Clear()
        {
            _x = null;
            _c = null;
            _w = null;
        }

        // With more blocks than chunks a chunk takes a run of consecutive blocks.
        public void Execute(int chunk)
        {
            int chunks = Math.Min(_blocks, WorkerPool.MaxChunks);
            int b0 = (int)((long)_blocks * chunk / chunks), b1 = (int)((long)_blocks * (chunk + 1) / chunks);
            int m0 = b0 * BlockRows, m1 = Math.Min(_rows, b1 * BlockRows);
            if (m0 >= m1) return;
            A.Quantize(_x, _ldx, m0, m1 - m0);
            Rows(A, m0, m1, _w!, 0, _w!.N, _c + (nint)m0 * _w.N, _w.N, _accumulate);
        }
    }
}
