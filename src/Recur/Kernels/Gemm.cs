namespace Recur.Kernels;

/// <summary>
/// The one seam through which every layer multiplies matrices:
/// <c>C (M, N) = op(A) (M, K) · op(B) (K, N)</c>, optionally added to C.
/// </summary>
/// <remarks>
/// Layouts follow <see cref="GemmReference"/>. Arguments are validated here once, so kernels
/// behind the seam may assume in-range spans. The work runs on the packed, blocked GEMM
/// (<see cref="GemmBlocked"/>) with the kernel of <see cref="KernelSettings.GemmKernel"/>,
/// split over <see cref="KernelSettings.Threads"/> threads (<see cref="GemmParallel"/>); results
/// are bit-identical for every thread count. Each element is one chain of fused multiply-adds in
/// K order, started from 0 or, when accumulating, from C. An operand used many times (W_hh at
/// every time step) is packed once with <see cref="Pack"/> and passed as a
/// <see cref="PackedMatrix"/>. A call allocates nothing in steady state.
/// </remarks>
internal static unsafe class Gemm
{
    public static void Multiply(
        bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate = false)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            ClearUnlessAccumulating(m, n, c, ldc, accumulate);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
            GemmParallel.Multiply(KernelSettings.GemmKernel, transA, transB, m, n, k,
                pa, lda, pb, ldb, null, pc, ldc, accumulate);
    }

    /// <summary>
    /// C (M, N) = op(A) (M, K) · B (K, N) (+ C when accumulating), with B packed beforehand by
    /// <see cref="Pack"/>. A is (M, K) with row stride lda, or (K, M) when <paramref name="transA"/>.
    /// </summary>
    public static void Multiply(
        bool transA, int m, ReadOnlySpan<float> a, int lda, PackedMatrix b,
        Span<float> c, int ldc, bool accumulate = false)
    {
        ArgumentNullException.ThrowIfNull(b);
        int n = b.N, k = b.K;
        if (m < 0)
            throw new ArgumentException($"GEMM sizes must be non-negative; got M={m}, N={n}, K={k}.", nameof(m));
        CheckOperand("A", transA ? k : m, transA ? m : k, lda, a.Length);
        CheckOperand("C", m, n, ldc, c.Length);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            ClearUnlessAccumulating(m, n, c, ldc, accumulate);
            return;
        }
        fixed (float* pa = a, pc = c)
            GemmParallel.Multiply(b.Kernel, transA, false, m, n, k,
                pa, lda, null, 0, b.Panels, pc, ldc, accumulate);
        GC.KeepAlive(b);
    }

    /// <summary>
    /// Packs op(B) (K, N) for repeated products: B is (K, N) with row stride ldb, or (N, K) when
    /// <paramref name="transB"/>. Pass <paramref name="into"/> (same K and N) to re-pack without
    /// allocating, e.g. after each optimizer step.
    /// </summary>
    public static PackedMatrix Pack(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb, PackedMatrix? into = null)
    {
        if (into != null && (into.K != k || into.N != n || into.Kernel != KernelSettings.GemmKernel))
            into = null;
        var packed = into ?? new PackedMatrix(k, n);
        packed.Pack(transB, b, ldb);
        return packed;
    }

    /// <summary>C (M, N) = A (M, K) · B (K, N), all contiguous.</summary>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
        => Multiply(false, false, m, n, k, a, k, b, n, c, n, accumulate);

    /// <summary>C (M, N) = A (M, K) · Bᵀ where B is (N, K), all contiguous.</summary>
    public static void MatMulTransB(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
        => Multiply(false, true, m, n, k, a, k, b, k, c, n, accumulate);

    /// <summary>C (M, N) = Aᵀ · B where A is (K, M) and B is (K, N), all contiguous.</summary>
    public static void MatMulTransA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k, bool accumulate = false)
        => Multiply(true, false, m, n, k, a, m, b, n, c, n, accumulate);

    private static void ClearUnlessAccumulating(int m, int n, Span<float> c, int ldc, bool accumulate)
    {
        if (!accumulate)
            for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLen, int lda, int bLen, int ldb, int cLen, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM sizes must be non-negative; got M={m}, N={n}, K={k}.");
        CheckOperand("A", transA ? k : m, transA ? m : k, lda, aLen);
        CheckOperand("B", transB ? n : k, transB ? k : n, ldb, bLen);
        CheckOperand("C", m, n, ldc, cLen);
    }

    /// <summary>Checks that a (rows, cols) operand with leading dimension ld fits in len elements.</summary>
    internal static void CheckOperand(string name, int rows, int cols, int ld, int len)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols)
            throw new ArgumentException($"GEMM {name}: leading dimension {ld} is smaller than its {cols} columns.");
        long need = (long)(rows - 1) * ld + cols;
        if (need > len)
            throw new ArgumentException($"GEMM {name}: ({rows}, {cols}) with leading dimension {ld} needs {need} elements; the span has {len}.");
    }
}
