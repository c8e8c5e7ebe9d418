using System.Text.Json.Nodes;

namespace Recur.Losses;

/// <summary>
/// Cross-entropy from logits with integer class targets and label smoothing (Szegedy et al.
/// 2016): the target distribution is q = (1 − ε)·onehot(y) + ε/C, as PyTorch's
/// <c>CrossEntropyLoss(label_smoothing=ε)</c>. Shapes and reduction as <see cref="SparseCategoricalCrossEntropy"/>.
/// </summary>
/// <remarks>
/// ℓ = −Σⱼ qⱼ log softmax(x)ⱼ = logΣⱼ e^(xⱼ) − Σⱼ qⱼ xⱼ;  dℓ/dxⱼ = softmax(x)ⱼ − qⱼ (computed in
/// double, the maximum subtracted first). ε = 0 is the plain sparse cross-entropy.
/// </remarks>
public sealed class LabelSmoothedCrossEntropy : Loss
{
    /// <summary>Creates the loss with smoothing <paramref name="epsilon"/> in [0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is outside [0, 1).</exception>
    public LabelSmoothedCrossEntropy(float epsilon)
    {
        if (!(epsilon >= 0f && epsilon < 1f))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The label smoothing must be in [0, 1).");
        Epsilon = epsilon;
    }

    /// <summary>The smoothing ε: the probability mass spread evenly over all classes.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    public override string Name => "label_smoothed_crossentropy";

    /// <inheritdoc/>
    protected override bool HasClassAxis => true;

    /// <summary>softmax(prediction) over the class axis.</summary>
    public override Tensor ToProbabilities(Tensor prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        var p = prediction.Clone();
        int classes = p.Size(-1);
        Kernels.Activations.Softmax(p.Span, p.Length / classes, classes);
        return p;
    }

    /// <inheritdoc/>
    protected override string? TargetProblem(float target, int classes)
        => target >= 0f && target < classes && target == MathF.Floor(target) ? null : $"an integer class id in [0, {classes})";

    /// <inheritdoc/>
    protected override double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient)
    {
        int label = (int)target, C = prediction.Length;
        double max = double.NegativeInfinity, sumX = 0;
        foreach (float v in prediction)
        {
            max = Math.Max(max, v);
            sumX += v;
        }
        double sum = 0;
        foreach (float v in prediction) sum += Math.Exp(v - max);
        double logSumExp = max + Math.Log(sum);
        double off = Epsilon / (double)C, on = 1 - Epsilon + off;
        for (int j = 0; j < C; j++)
            gradient[j] = (float)(Math.Exp(prediction[j] - logSumExp) - (j == label ? on : off));
        // Σ qⱼ xⱼ = (1 − ε)·x_y + (ε/C)·Σ xⱼ
        return logSumExp - ((1 - Epsilon) * prediction[label] + off * sumX);
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new() { ["epsilon"] = Epsilon };
}
