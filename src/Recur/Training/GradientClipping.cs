using Recur.Kernels;
using Recur.Layers;

namespace Recur.Training;

/// <summary>
/// Gradient clipping over a list of parameters, applied in place to <see cref="Parameter.Grad"/>
/// between the backward pass and the optimizer step. Only trainable parameters take part (as
/// in PyTorch, where frozen parameters have no gradient).
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Rescales all gradients together so that their global L2 norm is at most
    /// <paramref name="maxNorm"/>, as PyTorch's <c>clip_grad_norm_</c>:
    /// n = √(Σₚ Σᵢ gₚᵢ²), c = maxNorm / (n + 1e-6), and every gradient is multiplied by c when c &lt; 1.
    /// </summary>
    /// <returns>The global norm n before clipping (float; +∞ only if finite gradients are too large for a float norm).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not a positive finite number.</exception>
    /// <exception cref="NonFiniteGradientException">A gradient holds NaN or ±∞, so the norm is not finite; nothing is modified.</exception>
    public static float ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0f && float.IsFinite(maxNorm)))
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, $"maxNorm must be positive and finite; got {maxNorm}.");
        NonFiniteGradientException.ThrowIfAny(parameters, nameof(ClipByGlobalNorm));

        // Σ g² in double: no overflow for any float gradients, and the norm rounds once to float.
        double sumSquares = 0;
        foreach (var p in parameters)
            if (p.Trainable) sumSquares += Reductions.SumOfSquares(p.Grad.Span);
        double normD = Math.Sqrt(sumSquares);
        float norm = (float)normD;

        // PyTorch forms the coefficient in float as max_norm / (total_norm + 1e-6), where a number
        // divided by a tensor is evaluated as reciprocal(tensor) · number; then clamps it at 1.
        float coefficient = float.IsFinite(norm) ? 1f / (norm + 1e-6f) * maxNorm : (float)(maxNorm / normD);
        if (coefficient < 1f)
            foreach (var p in parameters)
            {
                if (!p.Trainable) continue;
                var g = p.Grad.Span;
                for (int i = 0; i < g.Length; i++) g[i] *= coefficient;
            }
        return norm;
    }

    /// <summary>
    /// Clamps every gradient element to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>],
    /// as PyTorch's <c>clip_grad_value_</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is negative or not finite.</exception>
    /// <exception cref="NonFiniteGradientException">A gradient holds NaN or ±∞ (clamping would hide it); nothing is modified.</exception>
    public static void ClipByValue(IReadOnlyList<Parameter> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0f && float.IsFinite(clipValue)))
            throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, $"clipValue must be a finite value ≥ 0; got {clipValue}.");
        NonFiniteGradientException.ThrowIfAny(parameters, nameof(ClipByValue));
        foreach (var p in parameters)
        {
            if (!p.Trainable) continue;
            var g = p.Grad.Span;
            for (int i = 0; i < g.Length; i++) g[i] = Math.Clamp(g[i], -clipValue, clipValue);
        }
    }
}
