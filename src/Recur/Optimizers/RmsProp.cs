using System.Text.Json.Nodes;

namespace Recur.Optimizers;

/// <summary>
/// RMSprop (Hinton), optionally centered and with momentum, following PyTorch 1.13's
/// <c>torch.optim.RMSprop</c>.
/// </summary>
/// <remarks>
/// Per step, with s = <c>square_avg</c>, a = <c>grad_avg</c>, b = <c>momentum_buffer</c> starting at 0:
/// <code>
/// g ← g + weightDecay·θ                           (if weightDecay ≠ 0)
/// s ← α·s + (1 − α)·g²
/// a ← α·a + (1 − α)·g;  d = √(s − a²) + ε         (centered)
///                       d = √s + ε                (otherwise)
/// b ← momentum·b + g / d;  θ ← θ − lr·b           (momentum &gt; 0)
/// θ ← θ − lr·g / d                                (otherwise)
/// </code>
/// State: <c>square_avg</c>, then <c>momentum_buffer</c> if momentum &gt; 0, then <c>grad_avg</c> if centered.
/// </remarks>
public sealed class RmsProp : Optimizer
{
    private readonly float _oneMinusAlpha; // (float)(1 − α) formed in double, as PyTorch does
    private readonly string[] _stateNames;

    /// <summary>Creates an RMSprop optimizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative or not finite.</exception>
    public RmsProp(float learningRate = 1e-2f, float alpha = 0.99f, float eps = 1e-8f, float momentum = 0f, bool centered = false, float weightDecay = 0f)
        : base(learningRate)
    {
        Alpha = RequireNonNegative(alpha, nameof(alpha));
        Eps = RequireNonNegative(eps, nameof(eps));
        Momentum = RequireNonNegative(momentum, nameof(momentum));
        WeightDecay = RequireNonNegative(weightDecay, nameof(weightDecay));
        Centered = centered;
        _oneMinusAlpha = (float)(1 - AsWritten(alpha));
        var names = new List<string> { "square_avg" };
        if (momentum > 0f) names.Add("momentum_buffer");
        if (centered) names.Add("grad_avg");
        _stateNames = names.ToArray();
    }

    /// <summary>Smoothing constant α of the squared-gradient average.</summary>
    public float Alpha { get; }

    /// <summary>Term added to the denominator for stability.</summary>
    public float Eps { get; }

    /// <summary>Momentum factor (0 = none).</summary>
    public float Momentum { get; }

    /// <summary>Whether the gradient's variance (s − a²) rather than its second moment normalizes.</summary>
    public bool Centered { get; }

    /// <summary>L2 penalty coefficient added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public override string Name => "rmsprop";

    /// <inheritdoc/>
    protected override string[] StateNames => _stateNames;

    /// <inheritdoc/>
    protected override void Update(Span<float> value, ReadOnlySpan<float> grad, float[][] buffers, long step)
    {
        float lr = LearningRate, alpha = Alpha, oneMinusAlpha = _oneMinusAlpha, eps = Eps, mu = Momentum, wd = WeightDecay;
        var s = buffers[0];                          // (n) square_avg
        var b = mu > 0f ? buffers[1] : null;         // (n) momentum_buffer
        var a = Centered ? buffers[^1] : null;       // (n) grad_avg
        for (int i = 0; i < value.Length; i++)
        {
            float g = grad[i];
            if (wd != 0f) g = MathF.FusedMultiplyAdd(wd, value[i], g);
            s[i] = MathF.FusedMultiplyAdd(oneMinusAlpha * g, g, s[i] * alpha); // mul_(α).addcmul_(g, g, value=1−α)
            float d;
            if (a is not null)
            {
                a[i] = MathF.FusedMultiplyAdd(oneMinusAlpha, g, a[i] * alpha);
                d = MathF.Sqrt(MathF.FusedMultiplyAdd(-a[i], a[i], s[i])); // square_avg.addcmul(a, a, value=−1).sqrt_()
            }
            else d = MathF.Sqrt(s[i]);
            d += eps;
            if (b is not null)
            {
                b[i] = b[i] * mu + g / d; // mul_ then addcdiv_
                value[i] = MathF.FusedMultiplyAdd(-lr, b[i], value[i]);
            }
            else value[i] += -lr * g / d; // addcdiv_: θ + (−lr·g) / d
        }
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new() { ["learning_rate"] = LearningRate, ["alpha"] = Alpha, ["eps"] = Eps, ["momentum"] = Momentum, ["centered"] = Centered, ["weight_decay"] = WeightDecay };
}
