namespace Recur.Serialization;

// Shapes: I inputs, H units, G gate blocks, GH = G·H.

/// <summary>
/// The two layout changes between Keras weights and Recur's (which are PyTorch's): kernels are
/// transposed, and gate blocks are reordered. <c>order[g]</c> is the Keras block that holds
/// Recur's block <c>g</c>: identity for LSTM (i, f, c, o = i, f, g, o) and SimpleRNN, and
/// <see cref="GruBlocks"/> for the GRU.
/// </summary>
internal static class KerasLayout
{
    /// <summary>Keras GRU blocks are z, r, h; Recur's are r, z, n: Recur block g is Keras block GruBlocks[g].</summary>
    public static readonly int[] GruBlocks = { 1, 0, 2 };

    /// <summary>The identity order over <paramref name="gates"/> blocks.</summary>
    public static int[] Identity(int gates) => Enumerable.Range(0, gates).ToArray();

    /// <summary>Keras kernel (I, G·H) → Recur weight (G·H, I): <c>W[g·H + j, i] = K[i, order[g]·H + j]</c>.</summary>
    public static Tensor FromKernel(Tensor kernel, int[] order)
    {
        int I = kernel.Size(0), GH = kernel.Size(1), H = GH / order.Length;
        var w = Tensor.Zeros(GH, I);      // (GH, I)
        var k = kernel.Span;              // (I, GH)
        var ws = w.Span;
        for (int g = 0; g < order.Length; g++)
            for (int j = 0; j < H; j++)
                for (int i = 0; i < I; i++)
                    ws[(g * H + j) * I + i] = k[i * GH + order[g] * H + j];
        return w;
    }

    /// <summary>Recur weight (G·H, I) → Keras kernel (I, G·H), the inverse of <see cref="FromKernel"/>.</summary>
    public static Tensor ToKernel(Tensor weight, int[] order)
    {
        int GH = weight.Size(0), I = weight.Size(1), H = GH / order.Length;
        var kernel = Tensor.Zeros(I, GH); // (I, GH)
        var w = weight.Span;              // (GH, I)
        var k = kernel.Span;
        for (int g = 0; g < order.Length; g++)
            for (int j = 0; j < H; j++)
                for (int i = 0; i < I; i++)
                    k[i * GH + order[g] * H + j] = w[(g * H + j) * I + i];
        return kernel;
    }

    /// <summary>Keras bias (G·H) → Recur bias (G·H): <c>b[g·H + j] = b_keras[order[g]·H + j]</c>.</summary>
    public static Tensor FromBias(ReadOnlySpan<float> bias, int[] order)
    {
        int GH = bias.Length, H = GH / order.Length;
        var b = Tensor.Zeros(GH);
        for (int g = 0; g < order.Length; g++) bias.Slice(order[g] * H, H).CopyTo(b.Span.Slice(g * H, H));
        return b;
    }

    /// <summary>Recur bias (G·H) → Keras bias (G·H), the inverse of <see cref="FromBias"/>.</summary>
    public static Tensor ToBias(ReadOnlySpan<float> bias, int[] order)
    {
        int GH = bias.Length, H = GH / order.Length;
        var b = Tensor.Zeros(GH);
        for (int g = 0; g < order.Length; g++) bias.Slice(g * H, H).CopyTo(b.Span.Slice(order[g] * H, H));
        return b;
    }
}
