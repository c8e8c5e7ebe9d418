using System.Text.Json.Nodes;
using Recur.Initializers;
using Recur.Kernels;

namespace Recur.Layers.Attention;

/// <summary>
/// Luong's general attention: s_ij = q_iᵀ W m_j, with W (Dq, Dm) named <c>weight</c> (as the
/// weight of PyTorch's <c>nn.Linear(Dm, Dq, bias=False)</c> applied to the memory), Glorot-uniform.
/// </summary>
/// <remarks>
/// Computed as the dot score against the projected memory k_j = W m_j: (B, Tk, Dm) → (B, Tk, Dq).
/// Shapes: query (B, Tq, Dq), memory (B, Tk, Dm) → context (B, Tq, Dm), weights (B, Tq, Tk).
/// </remarks>
public sealed class GeneralAttention(string? name = null) : AttentionLayer(name)
{
    private Parameter? _weight; // (Dq, Dm)

    /// <summary>W (Dq, Dm), once built.</summary>
    public Parameter? Weight => _weight;

    /// <inheritdoc/>
    protected override void BuildScore(int queryFeatures, int memoryFeatures, SeededRandom random)
    {
        var w = Tensor.Zeros(queryFeatures, memoryFeatures);
        Initializer.GlorotUniform(w.Span, fanIn: memoryFeatures, fanOut: queryFeatures, random);
        _weight = AddParameter("weight", w);
    }

    /// <inheritdoc/>
    protected override object? Scores(Tensor query, Tensor memory, Span<float> scores)
    {
        int B = query.Size(0), Tq = query.Size(1), Dq = query.Size(2), Tk = memory.Size(1), Dm = memory.Size(2);
        var k = new float[B * Tk * Dq];                                                   // (B·Tk, Dq) = m (B·Tk, Dm) · Wᵀ
        Gemm.MatMulTransB(memory.Span, _weight!.Value.Span, k, B * Tk, Dq, Dm);
        DotScores.Forward(query.Span, k, scores, B, Tq, Tk, Dq);
        return k;
    }

    /// <inheritdoc/>
    protected override void ScoresBackward(object? scoreCache, Tensor query, Tensor memory, ReadOnlySpan<float> gradScores, Tensor gradQuery, Tensor gradMemory)
    {
        int B = query.Size(0), Tq = query.Size(1), Dq = query.Size(2), Tk = memory.Size(1), Dm = memory.Size(2);
        var k = (float[])scoreCache!;
        var dk = new float[k.Length];                                                                     // (B·Tk, Dq)
        DotScores.Backward(query.Span, k, gradScores, gradQuery.Span, dk, B, Tq, Tk, Dq);
        Gemm.MatMulTransA(dk, memory.Span, _weight!.Grad.Span, Dq, Dm, B * Tk, accumulate: true);          // dW (Dq, Dm) += dkᵀ · m
        Gemm.MatMul(dk, _weight.Value.Span, gradMemory.Span, B * Tk, Dm, Dq, accumulate: true);            // dm (B·Tk, Dm) += dk · W
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new();
}
