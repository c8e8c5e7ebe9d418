using System.Text.Json.Nodes;

namespace Recur.Losses;

/// <summary>
/// Mean squared error: ℓ = (p − y)², dℓ/dp = 2(p − y), reduced as described on <see cref="Loss"/>.
/// Prediction and target have the same shape (B, …).
/// </summary>
public sealed class MeanSquaredError : Loss
{
    /// <inheritdoc/>
    public override string Name => "mean_squared_error";

    /// <inheritdoc/>
    protected override double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient)
    {
        double d = (double)prediction[0] - target;
        gradient[0] = (float)(2 * d);
        return d * d;
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new();
}
