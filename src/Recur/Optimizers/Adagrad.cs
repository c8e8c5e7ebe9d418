using System.Text.Json.Nodes;

namespace Recur.Optimizers;

/// <summary>
/// Adagrad (Duchi et al.), following PyTorch 1.13's <c>torch.optim.Adagrad</c> (no learning-rate decay).
/// </summary>
/// <remarks>
/// Per step, with S = <c>sum</c> starting at <c>initialAccumulator</c>:
/// <code>
/// g ← g + weightDecay·θ           (if weightDecay ≠ 0)
/// S ← S + g²
/// θ ← θ − lr·g / (√S + ε)
/// </code>
/// </remarks>
public sealed class Adagrad : Optimizer
{
    private static readonly string[] Names = { "sum" };

    /// <summary>Creates an Adagrad optimizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative or not finite.</exception>
    public Adagrad(float learningRate = 1e-2f, float initialAccumulator = 0f, float eps = 1e-10f, float weightDecay = 0f)
        : base(learningRate)
    {
        InitialAccumulator = RequireNonNegative(initialAccumulator, nameof(initialAccumulator));
        Eps = RequireNonNegative(eps, nameof(eps));
        WeightDecay = RequireNonNegative(weightDecay, nameof(weightDecay));
    }

    /// <summary>Starting value of every accumulator S.</summary>
    public float InitialAccumulator { get; }

    /// <summary>Term added to the denominator for stability.</summary>
    public float Eps { get; }

    /// <summary>L2 penalty coefficient added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public override string Name => "adagrad";

    /// <inheritdoc/>
    protected override string[] StateNames => Names;

    /// <inheritdoc/>
    protected override float InitialValue(int buffer) => InitialAccumulator;

    /// <inheritdoc/>
    protected override void Update(Span<float> value, ReadOnlySpan<float> grad, float[][] buffers, long step)
    {
        float lr = LearningRate, eps = Eps, wd = WeightDecay;
        var sum = buffers[0]; // (n)
        for (int i = 0; i < value.Length; i++)
        {
            float g = grad[i];
            if (wd != 0f) g = MathF.FusedMultiplyAdd(wd, value[i], g);
            sum[i] = MathF.FusedMultiplyAdd(g, g, sum[i]);
            value[i] += -lr * g / (MathF.Sqrt(sum[i]) + eps); // addcdiv_: θ + (−lr·g) / std
        }
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new() { ["learning_rate"] = LearningRate, ["initial_accumulator"] = InitialAccumulator, ["eps"] = Eps, ["weight_decay"] = WeightDecay };
}
