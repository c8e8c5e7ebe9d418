namespace Recur.Kernels;

/// <summary>
/// Element-wise activations and their derivatives, in place on spans. These are the plain
/// references: any fast version is tested against them.
/// </summary>
internal static class Activations
{
    /// <summary>σ(x) = 1 / (1 + e^(−x)), stable for large |x|.</summary>
    public static float Sigmoid(float x)
    {
        if (x >= 0) return 1f / (1f + MathF.Exp(-x));
        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    public static float Tanh(float x) => MathF.Tanh(x);

    public static float Relu(float x) => x > 0f ? x : 0f;

    public static void Sigmoid(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = Sigmoid(x[i]);
    }

    public static void Tanh(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Tanh(x[i]);
    }

    public static void Relu(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = Relu(x[i]);
    }

    /// <summary>Row-wise softmax of a (rows, cols) matrix, in place, max-subtracted.</summary>
    public static void Softmax(Span<float> x, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            float max = float.NegativeInfinity;
            foreach (float v in row) max = MathF.Max(max, v);
            double sum = 0;
            for (int j = 0; j < cols; j++)
            {
                row[j] = MathF.Exp(row[j] - max);
                sum += row[j];
            }
            float inv = (float)(1.0 / sum);
            for (int j = 0; j < cols; j++) row[j] *= inv;
        }
    }

    /// <summary>Row-wise log-softmax of a (rows, cols) matrix, in place: x − max − log Σ e^(x − max).</summary>
    public static void LogSoftmax(Span<float> x, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
            float max = float.NegativeInfinity;
            foreach (float v in row) max = MathF.Max(max, v);
            double sum = 0;
            foreach (float v in row) sum += Math.Exp(v - max);
            float shift = max + (float)Math.Log(sum);
            for (int j = 0; j < cols; j++) row[j] -= shift;
        }
    }
}
