using System.Text.Json.Nodes;

namespace Recur.Losses;

/// <summary>
/// Binary cross-entropy between targets y ∈ [0, 1] and predictions of the same shape (B, …),
/// reduced as described on <see cref="Loss"/>.
/// </summary>
/// <remarks>
/// <para>From logits x (stable for any |x|): ℓ = max(x, 0) − x·y + log(1 + e^(−|x|)),
/// dℓ/dx = σ(x) − y.</para>
/// <para>From probabilities p (Keras): p is clipped to [ε, 1 − ε] with ε = 1e-7, then
/// ℓ = −(y log p + (1 − y) log(1 − p)) and dℓ/dp = (p − y) / (p(1 − p)) inside the clip range,
/// 0 where the clip is active.</para>
/// </remarks>
public sealed class BinaryCrossEntropy : Loss
{
    /// <summary>Creates the loss; <paramref name="fromLogits"/> says whether predictions are logits or probabilities.</summary>
    public BinaryCrossEntropy(bool fromLogits = false) => FromLogits = fromLogits;

    /// <summary>True when predictions are logits (pre-sigmoid).</summary>
    public bool FromLogits { get; }

    /// <summary>σ(prediction) when working from logits.</summary>
    public override Tensor ToProbabilities(Tensor prediction)
    {
        if (!FromLogits) return prediction;
        var p = prediction.Clone();
        Kernels.Activations.Sigmoid(p.Span);
        return p;
    }

    /// <inheritdoc/>
    public override string Name => "binary_crossentropy";

    /// <inheritdoc/>
    protected override string? TargetProblem(float target, int classes)
        => target is >= 0f and <= 1f ? null : "a value in [0, 1]";

    /// <inheritdoc/>
    protected override double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient)
    {
        double y = target;
        if (FromLogits)
        {
            double x = prediction[0];
            double e = Math.Exp(-Math.Abs(x));                          // in (0, 1]: never overflows
            double sigmoid = x >= 0 ? 1 / (1 + e) : e / (1 + e);
            gradient[0] = (float)(sigmoid - y);
            return Math.Max(x, 0) - x * y + Math.Log(1 + e);
        }
        double p = prediction[0];
        double clipped = Math.Clamp(p, ProbabilityEpsilon, 1 - ProbabilityEpsilon);
        gradient[0] = clipped == p ? (float)((p - y) / (p * (1 - p))) : 0f;
        return -(y * Math.Log(clipped) + (1 - y) * Math.Log(1 - clipped));
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new() { ["from_logits"] = FromLogits };
}
