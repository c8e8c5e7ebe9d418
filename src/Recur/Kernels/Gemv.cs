using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

// Shapes: a (K), one row; panels: consecutive (K, 16) panels of B (see UnitPanels); c (N).

/// <summary>
/// One row times a panel-packed matrix: <c>c (N) = a (K) · B (K, N)</c>, optionally added to c,
/// where B is <c>⌈N/16⌉</c> consecutive (K, 16) panels (<see cref="UnitPanels"/>). The recurrent
/// step of a one-row batch (streaming inference) is this product; the packed GEMM would pad the
/// row to a full micro-kernel tile and pack it at every step, while here the weights stream
/// once, front to back.
/// </summary>
/// <remarks>
/// Each element is one chain of fused multiply-adds in K order, started from 0 or, when
/// accumulating, from c — the same chain as the packed GEMM's (see <see cref="GemmBlocked"/>),
/// so either route gives the same bits. <see cref="Reference"/> is the plain definition; the
/// vector paths run whole panels and leave the columns of a last partial panel to it.
/// </remarks>
internal static unsafe class Gemv
{
    private const int W = UnitPanels.Width;

    public static void Multiply(int n, int k, float* a, float* panels, float* c, bool accumulate)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated) j = Panels512(n, k, a, panels, c, accumulate);
        else if (Vector256.IsHardwareAccelerated) j = Panels256(n, k, a, panels, c, accumulate);
        Reference(j, n, k, a, panels, c, accumulate);
    }

    /// <summary>The scalar definition over columns [from, n).</summary>
    public static void Reference(int from, int n, int k, float* a, float* panels, float* c, bool accumulate)
    {
        for (int j = from; j < n; j++)
        {
            float* col = panels + (nint)(j / W) * k * W + j % W;
            float sum = accumulate ? c[j] : 0f;
            for (int p = 0; p < k; p++) sum = MathF.FusedMultiplyAdd(a[p], col[p * W], sum);
            c[j] = sum;
        }
    }

    /// <summary>Whole panels with one Vector512 each, four panels (four independent chains) at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Panels512(int n, int k, float* a, float* panels, float* c, bool accumulate)
    {
        nint stride = (nint)k * W;
        int j = 0;
        for (; j + 4 * W <= n; j += 4 * W)
        {
            float* p0 = panels + j / W * stride, p1 = p0 + stride, p2 = p1 + stride, p3 = p2 + stride;
            var c0 = accumulate ? Vector512.Load(c + j) : default;
            var c1 = accumulate ? Vector512.Load(c + j + W) : default;
            var c2 = accumulate ? Vector512.Load(c + j + 2 * W) : default;
            var c3 = accumulate ? Vector512.Load(c + j + 3 * W) : default;
            for (int p = 0; p < k; p++)
            {
                var x = Vector512.Create(a[p]);
                nint o = (nint)p * W;
                c0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadAligned(p0 + o), c0);
                c1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadAligned(p1 + o), c1);
                c2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadAligned(p2 + o), c2);
                c3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadAligned(p3 + o), c3);
            }
            c0.Store(c + j);
            c1.Store(c + j + W);
            c2.Store(c + j + 2 * W);
            c3.Store(c + j + 3 * W);
        }
        for (; j + W <= n; j += W)
        {
            float* p0 = panels + j / W * stride;
            var c0 = accumulate ? Vector512.Load(c + j) : default;
            for (int p = 0; p < k; p++)
                c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[p]), Vector512.LoadAligned(p0 + (nint)p * W), c0);
            c0.Store(c + j);
        }
        return j;
    }

    /// <summary>Whole panels as two Vector256 halves, two panels (four chains) at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Panels256(int n, int k, float* a, float* panels, float* c, bool accumulate)
    {
        nint stride = (nint)k * W;
        int j = 0;
        for (; j + W <= n; j += W)
        {
            bool two = j + 2 * W <= n;
            float* p0 = panels + j / W * stride, p1 = p0 + stride;
            var c0 = accumulate ? Vector256.Load(c + j) : default;
            var c1 = accumulate ? Vector256.Load(c + j + 8) : default;
            var c2 = accumulate && two ? Vector256.Load(c + j + W) : default;
            var c3 = accumulate && two ? Vector256.Load(c + j + W + 8) : default;
            for (int p = 0; p < k; p++)
            {
                var x = Vector256.Create(a[p]);
                nint o = (nint)p * W;
                c0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(p0 + o), c0);
                c1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(p0 + o + 8), c1);
                if (!two) continue;
                c2 = Vector256.FusedMultiplyAdd(x, Vector256.Load(p1 + o), c2);
                c3 = Vector256.FusedMultiplyAdd(x, Vector256.Load(p1 + o + 8), c3);
            }
            c0.Store(c + j);
            c1.Store(c + j + 8);
            if (!two) continue;
            c2.Store(c + j + W);
            c3.Store(c + j + W + 8);
            j += W;
        }
        return j;
    }
}
