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
    /// <summary>Rows of a C tile (A values broadcast per step).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of a C tile (a multiple of the vector width).</summary>
    static abstract int NR { get; }

    /// <summary>Depth of a K block: a (KC, NR) B micro-panel stays in L1 across a row of tiles.</summary>
    static abstract int KC { get; }

    /// <summary>Rows of an A block: the packed (MC, KC) block stays in L2.</summary>
    static abstract int MC { get; }

    /// <summary>Columns of a B block: the packed (KC, NC) block stays in L3.</summary>
    static abstract int NC { get; }

    /// <summary>
    /// <c>C[0..R, 0..NR] = (load ? C : 0) + Σ_p a[p, 0..R] ⊗ b[p, 0..NR]</c> for R = TRows ≤ MR
    /// rows, specialized per R so an edge tile does only the work of its rows.
    /// </summary>
    static abstract void Tile<TRows>(int kc, float* a, float* b, float* c, nint ldc, bool load)
        where TRows : struct, IRowCount;
}

/// <summary>Dispatches a tile of a run-time row count to the kernel specialized for it.</summary>
internal static unsafe class GemmTile
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TKernel>(int kc, float* a, float* b, float* c, nint ldc, int rows, bool load)
        where TKernel : IGemmKernel
    {
        switch (rows)
        {
            case 1: TKernel.Tile<Rows1>(kc, a, b, c, ldc, load); break;
            case 2: TKernel.Tile<Rows2>(kc, a, b, c, ldc, load); break;
            case 3: TKernel.Tile<Rows3>(kc, a, b, c, ldc, load); break;
            case 4: TKernel.Tile<Rows4>(kc, a, b, c, ldc, load); break;
            case 5: TKernel.Tile<Rows5>(kc, a, b, c, ldc, load); break;
            case 6: TKernel.Tile<Rows6>(kc, a, b, c, ldc, load); break;
            case 7: TKernel.Tile<Rows7>(kc, a, b, c, ldc, load); break;
            default: TKernel.Tile<Rows8>(kc, a, b, c, ldc, load); break;
        }
    }
}

/// <summary>A compile-time row count (at most 8), so a kernel is specialized for a short edge tile.</summary>
internal interface IRowCount { static abstract int Value { get; } }

internal readonly struct Rows1 : IRowCount { public static int Value => 1; }
internal readonly struct Rows2 : IRowCount { public static int Value => 2; }
internal readonly struct Rows3 : IRowCount { public static int Value => 3; }
internal readonly struct Rows4 : IRowCount { public static int Value => 4; }
internal readonly struct Rows5 : IRowCount { public static int Value => 5; }
internal readonly struct Rows6 : IRowCount { public static int Value => 6; }
internal readonly struct Rows7 : IRowCount { public static int Value => 7; }
internal readonly struct Rows8 : IRowCount { public static int Value => 8; }
