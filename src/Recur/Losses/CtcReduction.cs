namespace Recur.Losses;

/// <summary>How <see cref="Ctc"/> reduces the per-item negative log-likelihoods ℓ_b to one value.</summary>
public enum CtcReduction
{
    /// <summary>PyTorch's <c>mean</c>: <c>(1/B) Σ_b w_b ℓ_b / max(S_b, 1)</c> with S_b the label length.</summary>
    Mean,

    /// <summary>PyTorch's <c>sum</c>: <c>Σ_b w_b ℓ_b</c>.</summary>
    Sum,
}
