namespace Recur.Layers.Attention;

/// <summary>The result of <see cref="AttentionLayer.Attend"/>.</summary>
/// <param name="Context">(B, Tq, Dm) Σ_j a_ij m_j: the memory averaged with each query's weights.</param>
/// <param name="Weights">(B, Tq, Tk) the attention weights a_ij (each row sums to 1 over the real memory steps), when asked for.</param>
/// <param name="Cache">What <see cref="AttentionLayer.Backward(AttentionCache, Tensor)"/> needs; null when run without gradient.</param>
public sealed record AttentionOutput(Tensor Context, Tensor? Weights, AttentionCache? Cache);

/// <summary>The result of <see cref="AttentionLayer.Backward(AttentionCache, Tensor)"/>.</summary>
/// <param name="Query">(B, Tq, Dq) ∂L/∂query.</param>
/// <param name="Memory">(B, Tk, Dm) ∂L/∂memory (through both the scores and the context).</param>
public sealed record AttentionGradients(Tensor Query, Tensor Memory);

/// <summary>
/// One call's forward values kept for its backward pass (a value, not a field of the layer, so
/// one layer can be applied several times in one pass).
/// </summary>
public sealed class AttentionCache
{
    internal AttentionCache(Tensor query, Tensor memory, float[] weights, object? scoreCache)
    {
        Query = query;
        Memory = memory;
        Weights = weights;
        ScoreCache = scoreCache;
    }

    internal Tensor Query { get; }        // (B, Tq, Dq)
    internal Tensor Memory { get; }       // (B, Tk, Dm)
    internal float[] Weights { get; }     // (B, Tq, Tk) a, zero at masked memory steps
    internal object? ScoreCache { get; }  // what the score function's backward needs
}
