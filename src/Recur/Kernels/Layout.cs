namespace Recur.Kernels;

/// <summary>Swaps the two outer axes of a (P, Q, F) block: dst[q, p, :] = src[p, q, :].</summary>
internal static class Layout
{
    /// <summary>(B, T, F) batch-first ↔ (T, B, F) time-major (the same routine serves both ways).</summary>
    public static void SwapOuter(ReadOnlySpan<float> src, int p, int q, int f, Span<float> dst)
    {
        for (int i = 0; i < p; i++)
            for (int j = 0; j < q; j++)
                src.Slice((i * q + j) * f, f).CopyTo(dst.Slice((j * p + i) * f, f));
    }

    public static float[] SwapOuter(ReadOnlySpan<float> src, int p, int q, int f)
    {
        var dst = GC.AllocateUninitializedArray<float>(p * q * f); // every element is written below
        SwapOuter(src, p, q, f, dst);
        return dst;
    }
}
