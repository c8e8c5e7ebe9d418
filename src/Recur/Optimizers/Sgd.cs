using System.Text.Json.Nodes;

namespace Recur.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// following PyTorch 1.13's <c>torch.optim.SGD</c> (dampening 0).
/// </summary>
/// <remarks>
/// Per step, with g the gradient, θ the parameter, b the momentum buffer (starting at 0, so the
/// first step sets b = g as PyTorch's clone does):
/// <code>
/// g ← g + weightDecay·θ                 (if weightDecay ≠ 0)
/// b ← momentum·b + g                     (if momentum ≠ 0)
/// g ← nesterov ? g + momentum·b : b      (if momentum ≠ 0)
/// θ ← θ − lr·g
/// </code>
/// State: <c>momentum_buffer</c> when momentum ≠ 0.
/// </remarks>
public sealed class Sgd : Optimizer
{
    private readonly string[] _stateNames;

    /// <summary>Creates an SGD optimizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative or not finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> without momentum.</exception>
    public Sgd(float learningRate, float momentum = 0f, bool nesterov = false, float weightDecay = 0f)
        : base(learningRate)
    {
        Momentum = RequireNonNegative(momentum, nameof(momentum));
        WeightDecay = RequireNonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && momentum == 0f)
            throw new ArgumentException("nesterov = true requires momentum > 0; got momentum = 0.", nameof(nesterov));
        Nesterov = nesterov;
        _stateNames = momentum != 0f ? new[] { "momentum_buffer" } : Array.Empty<string>();
    }

    /// <summary>The momentum factor (0 = plain SGD).</summary>
    public float Momentum { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <summary>L2 penalty coefficient added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public override string Name => "sgd";

    /// <inheritdoc/>
    protected override string[] StateNames => _stateNames;

    /// <inheritdoc/>
    protected override void Update(Span<float> value, ReadOnlySpan<float> grad, float[][] buffers, long step)
    {
        float lr = LearningRate, mu = Momentum, wd = WeightDecay;
        var buf = mu != 0f ? buffers[0] : null; // (n)
        for (int i = 0; i < value.Length; i++)
        {
            float g = grad[i];
            if (wd != 0f) g = MathF.FusedMultiplyAdd(wd, value[i], g);
            if (buf is not null)
            {
                buf[i] = buf[i] * mu + g; // mul_ then add_: two roundings
                g = Nesterov ? MathF.FusedMultiplyAdd(mu, buf[i], g) : buf[i];
            }
            value[i] = MathF.FusedMultiplyAdd(-lr, g, value[i]); // param.add_(d_p, alpha=−lr)
        }
    }

    /// <inheritdoc/>
    public override JsonObject? GetConfig() => new() { ["learning_rate"] = LearningRate, ["momentum"] = Momentum, ["nesterov"] = Nesterov, ["weight_decay"] = WeightDecay };
}
