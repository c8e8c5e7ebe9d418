namespace Recur.Optimizers;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov &amp; Hutter), following PyTorch 1.13's
/// <c>torch.optim.AdamW</c>: each step first shrinks θ ← θ·(1 − lr·weightDecay), then applies the
/// Adam update (see <see cref="Adam"/>) without any L2 term in the gradient.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates an AdamW optimizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">learningRate, eps or weightDecay negative or not finite, or a beta outside [0, 1).</exception>
    public AdamW(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 1e-2f)
        : base(learningRate, beta1, beta2, eps, weightDecay, decoupled: true) { }

    /// <inheritdoc/>
    public override string Name => "adamw";
}
