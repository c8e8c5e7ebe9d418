using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>
/// The packed, cache-blocked GEMM (Goto/BLIS loop nest) on one thread, for any micro-kernel:
/// <code>
/// for jc over N by NC          B block (KC, NC) packed once, lives in L3
///   for pc over K by KC
///     for ic over M by MC      A block (MC, KC) packed once, lives in L2
///       for jr over NC by NR   B micro-panel (KC, NR) stays in L1
///         for ir over MC by MR   one (MR, NR) tile in registers
/// </code>
/// Same contract as <see cref="GemmReference"/>, on raw pointers the caller keeps pinned.
/// </summary>
/// <remarks>
/// Each element of C is one chain of fused multiply-adds in K order, started from zero (or from
/// C when accumulating) and carried through C between K blocks, so the result is independent of
/// the block sizes, the tile position, the kernel and the thread count.
/// </remarks>
internal static unsafe class GemmBlocked
{
    /// <summary>
    /// C (m, n) = op(A) · op(B) (+ C). When <paramref name="packedB"/> is not null it holds all of
    /// op(B) packed in panels of (k, NR) (see <see cref="PackedMatrix"/>), starting at column 0 of
    /// this call, and <paramref name="b"/> is unused. When <paramref name="packedA"/> is not null
    /// it holds all of op(A) packed as one block (<see cref="FitsOneABlock{TKernel}"/>), and
    /// <paramref name="a"/> is unused.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TKernel>(
        bool transA, bool transB, int m, int n, int k,
        float* a, nint lda, float* packedA, float* b, nint ldb, float* packedB,
        float* c, nint ldc, bool accumulate)
        where TKernel : IGemmKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int kcMax = Math.Min(TKernel.KC, k);
        int mcMax = RoundUp(Math.Min(TKernel.MC, m), mr);
        int ncStep = packedB != null ? n : TKernel.NC;
        var workspace = GemmWorkspace.Current;
        float* aPack = packedA != null ? packedA : workspace.A(ABlockFloats<TKernel>(mcMax, kcMax));
        float* bPack = packedB != null ? null : workspace.B(kcMax * RoundUp(Math.Min(TKernel.NC, n), nr));

        for (int jc = 0; jc < n; jc += ncStep)
        {
            int nc = Math.Min(ncStep, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                float* bPanels;
                nint bPanelStride;
                if (packedB != null)
                {
                    bPanels = packedB + (nint)pc * nr;
                    bPanelStride = (nint)k * nr;
                }
                else
                {
                    GemmPacking.PackB(nr, transB, b, ldb, pc, kc, jc, nc, bPack);
                    bPanels = bPack;
                    bPanelStride = (nint)kc * nr;
                }
                bool load = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, m - ic);
                    if (packedA == null) GemmPacking.PackA(mr, transA, a, lda, ic, mc, pc, kc, aPack);
                    Macro<TKernel>(kc, mc, nc, aPack, bPanels, bPanelStride, c + ic * ldc + jc, ldc, load);
                }
            }
        }
    }

    /// <summary>Whether op(A) (m, k) packs into one block, so that parallel chunks can share it.</summary>
    public static bool FitsOneABlock<TKernel>(int m, int k) where TKernel : IGemmKernel =>
        m <= TKernel.MC && k <= TKernel.KC;

    /// <summary>Floats of a packed A block of (mc, kc), mc a multiple of MR.</summary>
    public static int ABlockFloats<TKernel>(int mc, int kc) where TKernel : IGemmKernel =>
        (int)GemmPacking.APanelStride(kc, TKernel.MR) * (mc / TKernel.MR);

    /// <summary>All (MR, NR) tiles of an (mc, nc) block of C from packed A and B blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit] // the edge tile is always written before it is read
    private static void Macro<TKernel>(int kc, int mc, int nc, float* aPack, float* bPanels, nint bPanelStride,
        float* c, nint ldc, bool load)
        where TKernel : IGemmKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR, lanes = TKernel.Lanes;
        nint aPanelStride = GemmPacking.APanelStride(kc, mr);
        float* edge = stackalloc float[TKernel.MR * TKernel.NR]; // (MR, NR) tile for a partial vector
        int jr = 0;
        if (TKernel.ShortPanels > 0 && mc <= 2)
        {
            // One or two rows: several panels per call (see IGemmKernel.TileShort).
            int span = TKernel.ShortPanels * nr;
            for (; jr + span <= nc; jr += span, bPanels += TKernel.ShortPanels * bPanelStride)
            {
                if (mc == 1) TKernel.TileShort<Count1>(kc, aPack, bPanels, bPanelStride, c + jr, ldc, load);
                else TKernel.TileShort<Count2>(kc, aPack, bPanels, bPanelStride, c + jr, ldc, load);
            }
        }
        for (; jr < nc; jr += nr, bPanels += bPanelStride)
        {
            int cols = Math.Min(nr, nc - jr);
            int vectors = (cols + lanes - 1) / lanes;
            bool whole = cols == vectors * lanes;
            float* ap = aPack;
            for (int ir = 0; ir < mc; ir += mr, ap += aPanelStride)
            {
                int rows = Math.Min(mr, mc - ir);
                float* ct = c + ir * ldc + jr;
                // Start fetching the next tile of C (down this panel, or the top of the next one)
                // so that its load or store does not stall on a cache miss.
                if (ir + mr < mc) PrefetchTile(ct + mr * ldc, ldc, Math.Min(mr, mc - ir - mr), nr);
                else if (jr + nr < nc) PrefetchTile(c + jr + nr, ldc, Math.Min(mr, mc), nr);
                if (whole)
                {
                    GemmTile.Run<TKernel>(kc, ap, bPanels, ct, ldc, rows, vectors, load);
                    continue;
                }
                // The last vector is partial: run the tile on a copy, write back the valid columns.
                if (load) CopyTile(ct, ldc, edge, nr, rows, cols);
                GemmTile.Run<TKernel>(kc, ap, bPanels, edge, nr, rows, vectors, load);
                CopyTile(edge, nr, ct, ldc, rows, cols);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, nint ldc, int rows, int cols)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < rows; r++, c += ldc)
            for (int j = 0; j < cols; j += 16) Sse.Prefetch0(c + j);
    }

    private static void CopyTile(float* src, nint lds, float* dst, nint ldd, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(src + r * lds, cols).CopyTo(new Span<float>(dst + r * ldd, cols));
    }

    internal static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
