namespace Recur.Layers;

/// <summary>The element-wise (or, for <see cref="Softmax"/>, row-wise) function a layer applies to its output.</summary>
public enum Activation
{
    /// <summary>Identity: y = x.</summary>
    Linear,

    /// <summary>y = max(x, 0).</summary>
    Relu,

    /// <summary>y = tanh(x).</summary>
    Tanh,

    /// <summary>y = 1 / (1 + e^(−x)).</summary>
    Sigmoid,

    /// <summary>y = e^x / Σ e^x over the last axis.</summary>
    Softmax,
}
