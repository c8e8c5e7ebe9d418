namespace Recur.Layers.Recurrent;

// Shapes: R rows (= T·B), H hidden, D directions, W merged width (D·H for concat, else H).

/// <summary>Combines the per-direction outputs of a layer, and splits the gradient back.</summary>
internal static class DirectionMerge
{
    public static int Width(MergeMode mode, int directions, int hidden)
        => mode == MergeMode.Concat ? directions * hidden : hidden;

    /// <summary>merged (R, W) from each direction's (R, H) block.</summary>
    public static void Merge(MergeMode mode, IReadOnlyList<ReadOnlyMemory<float>> outputs, int rows, int hidden, Span<float> merged)
    {
        int D = outputs.Count, W = Width(mode, D, hidden);
        if (D == 1)
        {
            outputs[0].Span.Slice(0, rows * hidden).CopyTo(merged);
            return;
        }
        float scale = mode == MergeMode.Average ? 1f / D : 1f;
        for (int r = 0; r < rows; r++)
        {
            var dst = merged.Slice(r * W, W);
            if (mode == MergeMode.Concat)
            {
                for (int d = 0; d < D; d++) outputs[d].Span.Slice(r * hidden, hidden).CopyTo(dst.Slice(d * hidden, hidden));
                continue;
            }
            dst.Clear();
            for (int d = 0; d < D; d++)
            {
                var src = outputs[d].Span.Slice(r * hidden, hidden);
                for (int j = 0; j < hidden; j++) dst[j] += src[j];
            }
            if (scale != 1f)
                for (int j = 0; j < hidden; j++) dst[j] *= scale;
        }
    }

    /// <summary>True when every direction receives ∂L/∂merged unchanged (one direction, concat or sum).</summary>
    public static bool SplitIsIdentity(MergeMode mode, int directions) => directions == 1 && mode != MergeMode.Average;

    /// <summary>The gradient (R, H) reaching direction <paramref name="d"/> from ∂L/∂merged (R, W).</summary>
    public static void Split(MergeMode mode, int directions, int d, ReadOnlySpan<float> dMerged, int rows, int hidden, Span<float> dOut)
    {
        int W = Width(mode, directions, hidden);
        float scale = mode == MergeMode.Average ? 1f / directions : 1f;
        for (int r = 0; r < rows; r++)
        {
            var src = dMerged.Slice(r * W + (mode == MergeMode.Concat ? d * hidden : 0), hidden);
            var dst = dOut.Slice(r * hidden, hidden);
            if (scale == 1f) src.CopyTo(dst);
            else for (int j = 0; j < hidden; j++) dst[j] = src[j] * scale;
        }
    }
}
