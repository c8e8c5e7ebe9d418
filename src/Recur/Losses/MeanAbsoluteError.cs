using System.Text.Json.Nodes;

namespace Recur.Losses;

/// <summary>
/// Mean absolute error: ℓ = |p − y|, dℓ/dp = sign(p − y) (0 where p = y, as PyTorch),
/// reduced as described on <see cref="Loss"/>. Prediction and target have the same shape (B, …).
/// </summary>
public sealed class MeanAbsoluteError : Loss
{
    /// <inheritdoc/>
    public override string Name => "mean_absolute_error";

    /// <inheritdoc/>
    protected override double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient)
    {
        double d = (double)prediction[0] - target;
        gradient[0] = Math.Sign(d);
        return Math.Abs(d);
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new();
}
