using System.Text.Json.Nodes;

namespace Recur.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba) with optional L2 weight decay, following PyTorch 1.13's
/// <c>torch.optim.Adam</c> (amsgrad off).
/// </summary>
/// <remarks>
/// Per step t (this parameter's update count, from 1), with m = <c>exp_avg</c> and
/// v = <c>exp_avg_sq</c> starting at 0:
/// <code>
/// g ← g + weightDecay·θ                          (Adam; AdamW instead does θ ← θ·(1 − lr·weightDecay))
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// </remarks>
public class Adam : Optimizer
{
    private static readonly string[] Names = { "exp_avg", "exp_avg_sq" };
    private readonly double _beta1, _beta2, _weightDecay; // as written, for the double-precision scalars
    private readonly bool _decoupled;

    /// <summary>Creates an Adam optimizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">learningRate, eps or weightDecay negative or not finite, or a beta outside [0, 1).</exception>
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : this(learningRate, beta1, beta2, eps, weightDecay, decoupled: false) { }

    private protected Adam(float learningRate, float beta1, float beta2, float eps, float weightDecay, bool decoupled)
        : base(learningRate)
    {
        Beta1 = RequireUnitInterval(beta1, nameof(beta1));
        Beta2 = RequireUnitInterval(beta2, nameof(beta2));
        Eps = RequireNonNegative(eps, nameof(eps));
        WeightDecay = RequireNonNegative(weightDecay, nameof(weightDecay));
        _beta1 = AsWritten(beta1);
        _beta2 = AsWritten(beta2);
        _weightDecay = AsWritten(weightDecay);
        _decoupled = decoupled;
    }

    /// <summary>Decay of the first-moment average.</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second-moment average.</summary>
    public float Beta2 { get; }

    /// <summary>Term added to the denominator for stability.</summary>
    public float Eps { get; }

    /// <summary>Weight decay: an L2 term in the gradient (Adam) or a decoupled shrink of θ (AdamW).</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public override string Name => "adam";

    /// <inheritdoc/>
    protected override string[] StateNames => Names;

    /// <inheritdoc/>
    protected override void Update(Span<float> value, ReadOnlySpan<float> grad, float[][] buffers, long step)
    {
        double lr = AsWritten(LearningRate);
        float b1 = Beta1, b2 = Beta2, eps = Eps, wd = WeightDecay;
        float oneMinusB1 = (float)(1 - _beta1), oneMinusB2 = (float)(1 - _beta2);
        float stepSize = (float)(lr / (1 - Math.Pow(_beta1, step)));     // lr / (1 − β₁ᵗ)
        float bc2Sqrt = (float)Math.Sqrt(1 - Math.Pow(_beta2, step));    // √(1 − β₂ᵗ)
        float shrink = (float)(1 - lr * _weightDecay);                   // AdamW's decoupled decay
        var m = buffers[0]; // (n) exp_avg
        var v = buffers[1]; // (n) exp_avg_sq
        for (int i = 0; i < value.Length; i++)
        {
            float g = grad[i];
            if (_decoupled) value[i] *= shrink;
            else if (wd != 0f) g = MathF.FusedMultiplyAdd(wd, value[i], g); // grad.add(param, alpha=wd)
            m[i] = MathF.FusedMultiplyAdd(oneMinusB1, g, m[i] * b1);      // mul_(β₁).add_(g, alpha=1−β₁)
            v[i] = MathF.FusedMultiplyAdd(oneMinusB2 * g, g, v[i] * b2);  // mul_(β₂).addcmul_(g, g, value=1−β₂)
            float denom = MathF.Sqrt(v[i]) / bc2Sqrt + eps;
            value[i] += -stepSize * m[i] / denom; // addcdiv_: θ + (−step·m) / denom
        }
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new() { ["learning_rate"] = LearningRate, ["beta1"] = Beta1, ["beta2"] = Beta2, ["eps"] = Eps, ["weight_decay"] = WeightDecay };
}
