using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous micro-panel layouts the micro-kernels
/// read (see <see cref="IGemmKernel"/>), padding partial panels with zeros so that every tile
/// runs the full-width kernel.
/// </summary>
/// <remarks>
/// Packing is O(M·K + K·N) against the O(M·N·K) multiply, and it turns every kernel access into
/// a unit-stride read from a buffer sized for the cache level it is blocked for.
/// A panel of width w (MR for A, NR for B) over kc steps of K is stored step-major:
/// <c>panel[p·w + r]</c>. When the w rows/columns run along K in memory (A not transposed,
/// B transposed) they are interleaved with 8×8 block transposes; otherwise each step is a copy.
/// </remarks>
internal static unsafe class GemmPacking
{
    /// <summary>How many rows ahead <see cref="CopyPanels"/> prefetches.</summary>
    private const int PrefetchRows = 8;

    /// <summary>
    /// Distance between packed A panels: kc·MR floats plus one cache line, so that panels do
    /// not sit a multiple of 4 KiB apart. (Packing a transposed A writes all panels in turn,
    /// half a line at a time; panels sharing L1 sets would evict each other's lines.)
    /// </summary>
    public static nint APanelStride(int kc, int mr) => (nint)kc * mr + 16;

    /// <summary>
    /// Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into ⌈mc/MR⌉ panels <see cref="APanelStride"/> apart.
    /// op(A)[i, p] is <c>a[i·lda + p]</c>, or <c>a[p·lda + i]</c> when <paramref name="transA"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(int mr, bool transA, float* a, nint lda, int i0, int mc, int p0, int kc, float* dst)
    {
        nint panelStride = APanelStride(kc, mr);
        if (transA)
        {
            CopyPanels(a + (nint)p0 * lda + i0, lda, mc, kc, dst, mr, panelStride);
            return;
        }
        for (int ir = 0; ir < mc; ir += mr, dst += panelStride)
            InterleavePanel(a + (nint)(i0 + ir) * lda + p0, lda, Math.Min(mr, mc - ir), kc, dst, mr);
    }

    /// <summary>
    /// Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into ⌈nc/NR⌉ panels of kc·NR floats.
    /// op(B)[p, j] is <c>b[p·ldb + j]</c>, or <c>b[j·ldb + p]</c> when <paramref name="transB"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(int nr, bool transB, float* b, nint ldb, int p0, int kc, int j0, int nc, float* dst)
    {
        if (!transB)
        {
            CopyPanels(b + (nint)p0 * ldb + j0, ldb, nc, kc, dst, nr, (nint)kc * nr);
            return;
        }
        for (int jr = 0; jr < nc; jr += nr, dst += (nint)kc * nr)
            InterleavePanel(b + (nint)(j0 + jr) * ldb + p0, ldb, Math.Min(nr, nc - jr), kc, dst, nr);
    }

    /// <summary>
    /// Splits kc rows of <c>count</c> contiguous floats into ⌈count/width⌉ panels, panel q at
    /// <c>dst + q·panelStride</c>: <c>panel[q][p·width + r] = src[p·ld + q·width + r]</c>, zero
    /// past count. Each source row is read once, in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyPanels(float* src, nint ld, int count, int kc, float* dst, int width, nint panelStride)
    {
        // Full 8-wide panels (the AVX-512 kernel's A) take one vector copy per panel and step.
        int fast = width == 8 && Vector256.IsHardwareAccelerated ? count / 8 * 8 : 0;
        for (int p = 0; p < kc; p++, src += ld)
        {
            // Rows lie ld apart: fetch a few rows ahead, beyond what the hardware prefetcher
            // guesses, so that streaming a large operand from memory does not stall on latency.
            if (Sse.IsSupported && p + PrefetchRows < kc)
                for (int q = 0; q < count; q += 16) Sse.Prefetch0(src + PrefetchRows * ld + q);
            float* d = dst + (nint)p * width;
            for (int q = 0; q < fast; q += 8, d += panelStride)
                Vector256.Store(Vector256.Load(src + q), d);
            for (int q = fast; q < count; q += width, d += panelStride)
            {
                int n = Math.Min(width, count - q), r = 0;
                if (Vector256.IsHardwareAccelerated)
                    for (; r + 8 <= n; r += 8) Vector256.Store(Vector256.Load(src + q + r), d + r);
                for (; r < n; r++) d[r] = src[q + r];
                for (; r < width; r++) d[r] = 0f;
            }
        }
    }

    /// <summary><c>dst[p·width + r] = src[r·ld + p]</c> for r &lt; count, zero up to width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InterleavePanel(float* src, nint ld, int count, int kc, float* dst, int width)
    {
        int r = 0;
        if (Avx.IsSupported)
        {
            for (; r + 8 <= count; r += 8)
            {
                float* s = src + r * ld;
                int p = 0;
                for (; p + 8 <= kc; p += 8)
                    Transpose8x8(s + p, ld, dst + (nint)p * width + r, width);
                for (; p < kc; p++)
                    for (int i = 0; i < 8; i++) dst[(nint)p * width + r + i] = s[i * ld + p];
            }
        }
        for (; r < width; r++)
        {
            float* d = dst + r;
            if (r < count)
            {
                float* s = src + r * ld;
                for (int p = 0; p < kc; p++) d[(nint)p * width] = s[p];
            }
            else
            {
                for (int p = 0; p < kc; p++) d[(nint)p * width] = 0f;
            }
        }
    }

    /// <summary>
    /// Transposes the 8×8 block whose row i starts at <c>src + i·ld</c> into
    /// <c>dst[j·dstStride + i] = src[i·ld + j]</c>: unpack pairs of rows, interleave 64-bit pairs,
    /// then join the 128-bit lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint ld, float* dst, nint dstStride)
    {
        var r0 = Avx.LoadVector256(src); var r1 = Avx.LoadVector256(src + ld);
        var r2 = Avx.LoadVector256(src + 2 * ld); var r3 = Avx.LoadVector256(src + 3 * ld);
        var r4 = Avx.LoadVector256(src + 4 * ld); var r5 = Avx.LoadVector256(src + 5 * ld);
        var r6 = Avx.LoadVector256(src + 6 * ld); var r7 = Avx.LoadVector256(src + 7 * ld);
        // Per 128-bit lane: (x0 y0 x1 y1) and (x2 y2 x3 y3).
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        // Per lane, rows 0–3 (u0..u3) or 4–7 (u4..u7) of columns (j, j + 4) for j = 0..3.
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }
}
