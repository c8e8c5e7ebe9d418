using Recur.Kernels;

namespace Recur.Layers;

/// <summary>
/// Forward and backward of an <see cref="Activation"/> over a (rows, cols) matrix. The backward
/// pass is written in terms of the activation's output y, so a layer caches only y.
/// </summary>
internal static class ActivationFunction
{
    /// <summary>y = f(z) in place on a (rows, cols) matrix (softmax is taken along each row).</summary>
    public static void Forward(Activation activation, Span<float> z, int rows, int cols)
    {
        switch (activation)
        {
            case Activation.Linear: break;
            case Activation.Relu: Activations.Relu(z); break;
            case Activation.Tanh: Activations.Tanh(z); break;
            case Activation.Sigmoid: Activations.Sigmoid(z); break;
            case Activation.Softmax: Activations.Softmax(z, rows, cols); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>
    /// dz = dy ⊙ f′(z), written into <paramref name="dz"/> from the output y (all (rows, cols)):
    /// relu 1[y &gt; 0]; tanh 1 − y²; sigmoid y(1 − y); softmax row-wise dz = y ⊙ (dy − Σⱼ dyⱼ yⱼ).
    /// </summary>
    public static void Backward(Activation activation, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, int rows, int cols)
    {
        switch (activation)
        {
            case Activation.Linear:
                dy.CopyTo(dz);
                break;
            case Activation.Relu:
                for (int i = 0; i < dz.Length; i++) dz[i] = y[i] > 0f ? dy[i] : 0f;
                break;
            case Activation.Tanh:
                for (int i = 0; i < dz.Length; i++) dz[i] = dy[i] * (1f - y[i] * y[i]);
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < dz.Length; i++) dz[i] = dy[i] * y[i] * (1f - y[i]);
                break;
            case Activation.Softmax:
                for (int r = 0; r < rows; r++)
                {
                    var yr = y.Slice(r * cols, cols);
                    var dyr = dy.Slice(r * cols, cols);
                    double dot = 0;
                    for (int j = 0; j < cols; j++) dot += (double)dyr[j] * yr[j];
                    var dzr = dz.Slice(r * cols, cols);
                    for (int j = 0; j < cols; j++) dzr[j] = yr[j] * (dyr[j] - (float)dot);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }
}
