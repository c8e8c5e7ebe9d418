using System.Text.Json.Nodes;

namespace Recur.Layers.Attention;

/// <summary>
/// Luong's dot attention (Keras' <c>Attention</c> without scale): s_ij = q_i · m_j. No
/// parameters; the query and the memory need the same number of features.
/// </summary>
/// <remarks>Shapes: query (B, Tq, D), memory (B, Tk, D) → context (B, Tq, D), weights (B, Tq, Tk).</remarks>
public sealed class DotAttention(string? name = null) : AttentionLayer(name)
{
    /// <inheritdoc/>
    protected override void CheckFeatures(int queryFeatures, int memoryFeatures)
    {
        if (queryFeatures != memoryFeatures)
            throw new ArgumentException($"Layer '{Name}' (dot attention) needs queries and memories of the same size; got {queryFeatures} and {memoryFeatures} features (use GeneralAttention or AdditiveAttention).");
    }

    /// <inheritdoc/>
    protected override object? Scores(Tensor query, Tensor memory, Span<float> scores)
    {
        DotScores.Forward(query.Span, memory.Span, scores, query.Size(0), query.Size(1), memory.Size(1), query.Size(2));
        return null;
    }

    /// <inheritdoc/>
    protected override void ScoresBackward(object? scoreCache, Tensor query, Tensor memory, ReadOnlySpan<float> gradScores, Tensor gradQuery, Tensor gradMemory)
        => DotScores.Backward(query.Span, memory.Span, gradScores, gradQuery.Span, gradMemory.Span, query.Size(0), query.Size(1), memory.Size(1), query.Size(2));

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new();
}
