using System.Runtime.CompilerServices;

namespace Recur.Kernels;

/// <summary>
/// A register-tiled GEMM micro-kernel: one (MR, NR) tile of C from an A micro-panel and a B
/// micro-panel packed by <see cref="GemmPacking"/>.
/// </summary>
/// <remarks>
/// Packed layouts (kc = the depth of this K block):
/// A micro-panel (kc, MR): <c>a[p·MR + r] = op(A)[i0 + r, p]</c>, rows past M zero;
/// B micro-panel (kc, NR): <c>b[p·NR + j] = op(B)[p, j0 + j]</c>, columns past N zero.
/// Every kernel computes each element as one chain of fused multiply-adds in p order, starting
/// from C (when <c>load</c>) or zero, so a result does not depend on the kernel, the tiling, the
/// K blocking or the thread that computes it.
/// </remarks>
internal unsafe interface IGemmKernel
{
    /// <summary>Rows of a C tile (A values broadcast per step), at most 8.</summary>
    static abstract int MR { get; }

    /// <summary>Floats per vector: a tile row is NR / Lanes vectors, at most 3.</summary>
    static abstract int Lanes { get; }

    /// <summary>Columns of a C tile.</summary>
    static abstract int NR { get; }

    /// <summary>Depth of a K block: a (KC, NR) B micro-panel stays in L1 across a row of tiles.</summary>
    static abstract int KC { get; }

    /// <summary>Rows of an A block: the packed (MC, KC) block stays in L2.</summary>
    static abstract int MC { get; }

    /// <summary>Columns of a B block: the packed (KC, NC) block stays in L3.</summary>
    static abstract int NC { get; }

    /// <summary>
    /// <c>C[0..R, 0..W] = (load ? C : 0) + Σ_p a[p, 0..R] ⊗ b[p, 0..W]</c> for R = TRows ≤ MR
    /// rows and W = TCols·Lanes ≤ NR columns, specialized per (R, W) so that an edge tile does
    /// only the work of its rows and vectors.
    /// </summary>
    static abstract void Tile<TRows, TCols>(int kc, float* a, float* b, float* c, nint ldc, bool load)
        where TRows : struct, ICount
        where TCols : struct, ICount;

    /// <summary>
    /// Full column panels per <see cref="TileShort{TRows}"/> call, or 0 when the kernel has none.
    /// A tile of one or two rows has too few independent FMA chains to hide the FMA latency;
    /// taking several panels at once gives it as many as a full tile.
    /// </summary>
    static abstract int ShortPanels { get; }

    /// <summary>
    /// <c>C[0..R, 0..ShortPanels·NR]</c> for R = TRows ≤ 2 rows, from ShortPanels full B panels
    /// <paramref name="panelStride"/> floats apart; same fused chains as <see cref="Tile{TRows, TCols}"/>.
    /// </summary>
    static abstract void TileShort<TRows>(int kc, float* a, float* b0, nint panelStride, float* c, nint ldc, bool load)
        where TRows : struct, ICount;
}

/// <summary>Dispatches a tile of run-time rows and column vectors to the kernel specialized for them.</summary>
internal static unsafe class GemmTile
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TKernel>(int kc, float* a, float* b, float* c, nint ldc, int rows, int vectors, bool load)
        where TKernel : IGemmKernel
    {
        switch (vectors)
        {
            case 1: Run<TKernel, Count1>(kc, a, b, c, ldc, rows, load); break;
            case 2: Run<TKernel, Count2>(kc, a, b, c, ldc, rows, load); break;
            default: Run<TKernel, Count3>(kc, a, b, c, ldc, rows, load); break;
        }
    }

    private static void Run<TKernel, TCols>(int kc, float* a, float* b, float* c, nint ldc, int rows, bool load)
        where TKernel : IGemmKernel
        where TCols : struct, ICount
    {
        switch (rows)
        {
            case 1: TKernel.Tile<Count1, TCols>(kc, a, b, c, ldc, load); break;
            case 2: TKernel.Tile<Count2, TCols>(kc, a, b, c, ldc, load); break;
            case 3: TKernel.Tile<Count3, TCols>(kc, a, b, c, ldc, load); break;
            case 4: TKernel.Tile<Count4, TCols>(kc, a, b, c, ldc, load); break;
            case 5: TKernel.Tile<Count5, TCols>(kc, a, b, c, ldc, load); break;
            case 6: TKernel.Tile<Count6, TCols>(kc, a, b, c, ldc, load); break;
            case 7: TKernel.Tile<Count7, TCols>(kc, a, b, c, ldc, load); break;
            default: TKernel.Tile<Count8, TCols>(kc, a, b, c, ldc, load); break;
        }
    }
}

/// <summary>A compile-time count (rows or vectors of a tile), so kernels specialize per edge shape.</summary>
internal interface ICount { static abstract int Value { get; } }

internal readonly struct Count1 : ICount { public static int Value => 1; }
internal readonly struct Count2 : ICount { public static int Value => 2; }
internal readonly struct Count3 : ICount { public static int Value => 3; }
internal readonly struct Count4 : ICount { public static int Value => 4; }
internal readonly struct Count5 : ICount { public static int Value => 5; }
internal readonly struct Count6 : ICount { public static int Value => 6; }
internal readonly struct Count7 : ICount { public static int Value => 7; }
internal readonly struct Count8 : ICount { public static int Value => 8; }
