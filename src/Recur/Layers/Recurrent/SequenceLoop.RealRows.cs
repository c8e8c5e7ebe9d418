using System.Buffers;
using Recur.Kernels;

namespace Recur.Layers.Recurrent;

internal static partial class SequenceLoop
{
    /// <summary>Below this share of real (step, row) pairs the input projection runs on the real ones only.</summary>
    private const double DenseShare = 0.75;

    /// <summary>
    /// Gates (T·B, GH) = x (T·B, I) · W_ihᵀ on the real rows of <paramref name="valid"/> (T, B)
    /// only, when they are fewer than <see cref="DenseShare"/> of all: they are gathered (R, I),
    /// multiplied in one product (R, GH) and put back, and the padded rows' gates are zeros (the
    /// step keeps those rows' state whatever their gates). Each row of a product is computed by
    /// the same operations whatever the other rows (the GEMM splits and blocks M only by whole
    /// rows), so the real rows' gates are those of the whole product. Returns false, having done
    /// nothing, when most rows are real: the gathering would then cost more than it saves.
    /// </summary>
    private static bool ProjectRealRows(ReadOnlySpan<float> x, bool[] valid, int inputSize, Tensor weightIh, Span<float> gates, int gateWidth)
    {
        int rows = valid.Length, real = 0, I = inputSize, GH = gateWidth;
        foreach (bool v in valid) if (v) real++;
        if (real >= DenseShare * rows) return false;
        var packedX = ArrayPool<float>.Shared.Rent(Math.Max(1, real * I));      // (R, I)
        var packedGates = ArrayPool<float>.Shared.Rent(Math.Max(1, real * GH)); // (R, GH)
        try
        {
            int n = 0;
            for (int r = 0; r < rows; r++)
                if (valid[r]) x.Slice(r * I, I).CopyTo(packedX.AsSpan(n++ * I, I));
            Gemm.MatMulTransB(packedX.AsSpan(0, real * I), weightIh.Span, packedGates.AsSpan(0, real * GH), real, GH, I);
            n = 0;
            for (int r = 0; r < rows; r++)
            {
                var row = gates.Slice(r * GH, GH);
                if (valid[r]) packedGates.AsSpan(n++ * GH, GH).CopyTo(row);
                else row.Clear();
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedX);
            ArrayPool<float>.Shared.Return(packedGates);
        }
        return true;
    }
}
