namespace Recur.Layers.Recurrent;

// Shapes: T time, B batch, I input of the direction, S the width of h (H, or P when projected).

/// <summary>
/// Variational dropout (Gal &amp; Ghahramani 2016; Keras' <c>dropout</c> and
/// <c>recurrent_dropout</c>) for one direction of one layer in one training call: one mask per
/// sequence, the same at every step, on the inputs x_t and on h_{t−1} where it enters the
/// recurrent projection:
/// <code>
/// z_t = (x_t ⊙ m_x)·W_ihᵀ + b_ih + (h_{t−1} ⊙ m_h)·W_hhᵀ + b_hh      m ∈ {0, 1/(1 − rate)}
/// </code>
/// The carried state itself (h_{t−1} in a GRU's interpolation, c_{t−1} of an LSTM) is not
/// dropped. Backward: ∂L/∂x_t = (dz_t·W_ih) ⊙ m_x and the recurrent part of ∂L/∂h_{t−1} is
/// (dz_t·W_hh) ⊙ m_h; dW_ih and dW_hh see the dropped x and h.
/// </summary>
internal sealed class VariationalDropout
{
    private VariationalDropout(float[]? input, float[]? recurrent) => (Input, Recurrent) = (input, recurrent);

    /// <summary>m_x (B, I) or null when inputs are not dropped.</summary>
    public float[]? Input { get; }

    /// <summary>m_h (B, S) or null when h_{t−1} is not dropped.</summary>
    public float[]? Recurrent { get; }

    /// <summary>
    /// Draws the masks of one direction (input first, then recurrent), or returns null when both
    /// rates are 0: then nothing is drawn and the step is the plain cell's.
    /// </summary>
    public static VariationalDropout? Draw(float inputRate, float recurrentRate, int batch, int inputSize, int stateWidth, SeededRandom random)
    {
        if (inputRate == 0f && recurrentRate == 0f) return null;
        return new VariationalDropout(
            inputRate > 0f ? Mask(inputRate, batch * inputSize, random) : null,
            recurrentRate > 0f ? Mask(recurrentRate, batch * stateWidth, random) : null);
    }

    private static float[] Mask(float rate, int length, SeededRandom random)
    {
        float keep = 1f - rate, scale = 1f / keep;
        var mask = new float[length];
        for (int k = 0; k < length; k++) mask[k] = random.NextFloat() < keep ? scale : 0f;
        return mask;
    }

    /// <summary>
    /// dst (T, B·W) = src (T, B·W) ⊙ mask (B·W), the mask broadcast over the T blocks; with
    /// <paramref name="accumulate"/>, dst += src ⊙ mask.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> src, ReadOnlySpan<float> mask, int steps, Span<float> dst, bool accumulate = false)
    {
        int n = mask.Length;
        for (int t = 0; t < steps; t++)
        {
            var s = src.Slice(t * n, n);
            var d = dst.Slice(t * n, n);
            if (accumulate)
                for (int k = 0; k < n; k++) d[k] += s[k] * mask[k];
            else
                for (int k = 0; k < n; k++) d[k] = s[k] * mask[k];
        }
    }
}
