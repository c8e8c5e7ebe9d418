using System.Text.Json.Nodes;

namespace Recur.Losses;

/// <summary>
/// Cross-entropy with integer class targets: prediction (B, C) or (B, T, C), target (B) or
/// (B, T) of class ids stored as floats, one term per row of the class axis, reduced as
/// described on <see cref="Loss"/> (so a (B, T) mask drops whole steps).
/// </summary>
/// <remarks>
/// <para>From logits x (fused log-softmax, computed in double): ℓ = logΣⱼ e^(xⱼ) − x_y,
/// dℓ/dxⱼ = softmax(x)ⱼ − 1[j = y]. Any finite logits are safe: the maximum is subtracted first.</para>
/// <para>From probabilities p (rows assumed to sum to 1, e.g. a softmax output): ℓ = −log(clip(p_y, ε, 1 − ε))
/// with ε = 1e-7, dℓ/dp_y = −1/p_y inside the clip range and 0 elsewhere.</para>
/// </remarks>
public sealed class SparseCategoricalCrossEntropy : Loss
{
    /// <summary>Creates the loss; <paramref name="fromLogits"/> says whether predictions are logits or probabilities.</summary>
    public SparseCategoricalCrossEntropy(bool fromLogits = true) => FromLogits = fromLogits;

    /// <summary>True when predictions are logits (pre-softmax).</summary>
    public bool FromLogits { get; }

    /// <summary>softmax(prediction) over the class axis when working from logits.</summary>
    public override Tensor ToProbabilities(Tensor prediction)
    {
        if (!FromLogits) return prediction;
        var p = prediction.Clone();
        int classes = p.Size(-1);
        Kernels.Activations.Softmax(p.Span, p.Length / classes, classes);
        return p;
    }

    /// <inheritdoc/>
    public override string Name => "sparse_categorical_crossentropy";

    /// <inheritdoc/>
    protected override bool HasClassAxis => true;

    /// <inheritdoc/>
    protected override string? TargetProblem(float target, int classes)
        => target >= 0f && target < classes && target == MathF.Floor(target) ? null : $"an integer class id in [0, {classes})";

    /// <inheritdoc/>
    protected override double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient)
    {
        int label = (int)target;
        if (!FromLogits)
        {
            double p = prediction[label];
            double clipped = Math.Clamp(p, ProbabilityEpsilon, 1 - ProbabilityEpsilon);
            gradient.Clear();
            if (clipped == p) gradient[label] = (float)(-1 / p);
            return -Math.Log(clipped);
        }
        double max = double.NegativeInfinity;
        foreach (float v in prediction) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in prediction) sum += Math.Exp(v - max);
        double logSumExp = max + Math.Log(sum);
        for (int j = 0; j < prediction.Length; j++)
            gradient[j] = (float)(Math.Exp(prediction[j] - logSumExp) - (j == label ? 1 : 0));
        return logSumExp - prediction[label];
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new() { ["from_logits"] = FromLogits };
}
