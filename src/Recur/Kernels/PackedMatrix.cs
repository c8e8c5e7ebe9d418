using System.Runtime.CompilerServices;

namespace Recur.Kernels;

/// <summary>
/// The B operand of a GEMM, op(B) (K, N), packed once into the micro-kernel's column panels so
/// that many products with it skip packing: a recurrent layer packs W_hh once per optimizer step
/// and multiplies by it at every time step (see <see cref="Gemm.Pack"/>).
/// </summary>
/// <remarks>
/// Layout: ⌈N/NR⌉ panels, each (K, NR) step-major: <c>panel[q][p·NR + j] = op(B)[p, q·NR + j]</c>,
/// columns past N zero. The panel width belongs to the kernel chosen at packing time, recorded in
/// <see cref="Kernel"/>. Storage is on the pinned heap, so kernels may read it through a pointer.
/// </remarks>
internal sealed unsafe class PackedMatrix
{
    private readonly float[] _storage;

    /// <summary>An unfilled packing of a (k, n) op(B) for the current GEMM kernel.</summary>
    public PackedMatrix(int k, int n)
    {
        if (k < 0 || n < 0)
            throw new ArgumentException($"Packed matrix sizes must be non-negative; got K={k}, N={n}.");
        K = k;
        N = n;
        Kernel = KernelSettings.GemmKernel;
        PanelWidth = Kernel switch
        {
            GemmKernelKind.Vector512 => GemmKernel512.NR,
            GemmKernelKind.Vector256 => GemmKernel256.NR,
            _ => GemmKernelScalar.NR,
        };
        long floats = (long)k * (((long)n + PanelWidth - 1) / PanelWidth * PanelWidth) + 16;
        if (floats > Array.MaxLength)
            throw new ArgumentException($"Packed matrix (K={k}, N={n}) is too large: {floats} floats.");
        _storage = GC.AllocateUninitializedArray<float>((int)floats, pinned: true);
    }

    /// <summary>Rows of op(B): the shared dimension of the product.</summary>
    public int K { get; }

    /// <summary>Columns of op(B) and of the product.</summary>
    public int N { get; }

    /// <summary>The micro-kernel whose panel layout this holds.</summary>
    internal GemmKernelKind Kernel { get; }

    /// <summary>NR of <see cref="Kernel"/>.</summary>
    internal int PanelWidth { get; }

    /// <summary>Start of panel 0, 64-byte aligned.</summary>
    internal float* Panels => GemmWorkspace.AlignUp((float*)Unsafe.AsPointer(ref _storage[0]));

    /// <summary>
    /// Packs op(B) into this storage, replacing what it held: B is (K, N) with row stride ldb,
    /// or (N, K) when <paramref name="transB"/>.
    /// </summary>
    public void Pack(bool transB, ReadOnlySpan<float> b, int ldb)
    {
        int rows = transB ? N : K, cols = transB ? K : N;
        Gemm.CheckOperand("B", rows, cols, ldb, b.Length);
        if (K == 0 || N == 0) return;
        fixed (float* pb = b)
            GemmPacking.PackB(PanelWidth, transB, pb, ldb, 0, K, 0, N, Panels);
    }
}
