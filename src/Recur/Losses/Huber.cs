using System.Text.Json.Nodes;

namespace Recur.Losses;

/// <summary>
/// Huber loss with threshold δ: with d = p − y, ℓ = ½d² for |d| ≤ δ and δ(|d| − ½δ) beyond;
/// dℓ/dp = d inside and δ·sign(d) beyond (Keras' <c>Huber</c>, PyTorch's <c>HuberLoss</c>).
/// Prediction and target have the same shape (B, …); reduced as described on <see cref="Loss"/>.
/// </summary>
public sealed class Huber : Loss
{
    /// <summary>Creates a Huber loss.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not a positive finite number.</exception>
    public Huber(float delta = 1f)
    {
        if (!(delta > 0f && float.IsFinite(delta)))
            throw new ArgumentOutOfRangeException(nameof(delta), delta, $"delta must be positive and finite; got {delta}.");
        Delta = delta;
    }

    /// <summary>The threshold δ between the quadratic and the linear part.</summary>
    public float Delta { get; }

    /// <inheritdoc/>
    public override string Name => "huber";

    /// <inheritdoc/>
    protected override double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient)
    {
        double d = (double)prediction[0] - target;
        double a = Math.Abs(d);
        if (a <= Delta)
        {
            gradient[0] = (float)d;
            return 0.5 * d * d;
        }
        gradient[0] = Delta * Math.Sign(d);
        return Delta * (a - 0.5 * Delta);
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new() { ["delta"] = Delta };
}
