using System.Text.Json.Nodes;
using Recur.Initializers;
using Recur.Kernels;

namespace Recur.Layers.Attention;

/// <summary>
/// Luong's general attention: s_ij = q_iᵀ W m_j, with W (Dq, Dm) named <c>weight</c> (as the
/// weight of PyTorch's <c>nn.Linear(Dm, Dq, bias=False)</c> applied to the memory), Glorot-uniform.
/// </summary>
/// <remarks>
/// <para>Shapes: query (B, Tq, Dq), memory (B, Tk, Dm) → context (B, Tq, Dm), weights (B, Tq, Tk).</para>
/// <para>s = q W mᵀ is computed from whichever side is cheaper: the dot score against the
/// projected memory k_j = W m_j (B, Tk, Dq), or the projected query q'_i = Wᵀ q_i (B, Tq, Dm)
/// against the memory. One decoder step (Tq = 1) over a source of Tk steps then projects one
/// query instead of Tk memory steps.</para>
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

    /// <summary>
    /// True when projecting the query costs fewer multiply-adds than projecting the memory:
    /// Tq·Dq·Dm + Tq·Tk·Dm (q' then the scores) against Tk·Dm·Dq + Tq·Tk·Dq (k then the scores).
    /// </summary>
    internal static bool ProjectsQuery(int Tq, int Tk, int Dq, int Dm)
        => (long)Tq * Dq * Dm + (long)Tq * Tk * Dm < (long)Tk * Dm * Dq + (long)Tq * Tk * Dq;

    /// <summary>The projected side kept for the backward pass: q' (B·Tq, Dm) or k (B·Tk, Dq).</summary>
    private sealed record Projection(float[] Values, bool OfQuery);

    /// <inheritdoc/>
    protected override object? Scores(Tensor query, Tensor memory, Span<float> scores)
    {
        int B = query.Size(0), Tq = query.Size(1), Dq = query.Size(2), Tk = memory.Size(1), Dm = memory.Size(2);
        if (ProjectsQuery(Tq, Tk, Dq, Dm))
        {
            var qw = new float[B * Tq * Dm];                                              // (B·Tq, Dm) = q (B·Tq, Dq) · W
            Gemm.MatMul(query.Span, _weight!.Value.Span, qw, B * Tq, Dm, Dq);
            DotScores.Forward(qw, memory.Span, scores, B, Tq, Tk, Dm);
            return new Projection(qw, OfQuery: true);
        }
        var k = new float[B * Tk * Dq];                                                   // (B·Tk, Dq) = m (B·Tk, Dm) · Wᵀ
        Gemm.MatMulTransB(memory.Span, _weight!.Value.Span, k, B * Tk, Dq, Dm);
        DotScores.Forward(query.Span, k, scores, B, Tq, Tk, Dq);
        return new Projection(k, OfQuery: false);
    }

    /// <inheritdoc/>
    protected override void ScoresBackward(object? scoreCache, Tensor query, Tensor memory, ReadOnlySpan<float> gradScores, Tensor gradQuery, Tensor gradMemory)
    {
        int B = query.Size(0), Tq = query.Size(1), Dq = query.Size(2), Tk = memory.Size(1), Dm = memory.Size(2);
        var projection = (Projection)scoreCache!;
        var w = _weight!;
        if (projection.OfQuery)
        {
            // s = q' · mᵀ with q' = q W:  dq' = ds · m,  dm += dsᵀ · q';  dq += dq' · Wᵀ,  dW += qᵀ · dq'
            var dqw = new float[projection.Values.Length];                                                    // (B·Tq, Dm)
            DotScores.Backward(projection.Values, memory.Span, gradScores, dqw, gradMemory.Span, B, Tq, Tk, Dm);
            Gemm.MatMulTransB(dqw, w.Value.Span, gradQuery.Span, B * Tq, Dq, Dm, accumulate: true);            // dq (B·Tq, Dq) += dq' · Wᵀ
            Gemm.MatMulTransA(query.Span, dqw, w.Grad.Span, Dq, Dm, B * Tq, accumulate: true);                 // dW (Dq, Dm) += qᵀ · dq'
            return;
        }
        // s = q · kᵀ with k = m Wᵀ:  dq += ds · k,  dk = dsᵀ · q;  dW += dkᵀ · m,  dm += dk · W
        var k = projection.Values;
        var dk = new float[k.Length];                                                                         // (B·Tk, Dq)
        DotScores.Backward(query.Span, k, gradScores, gradQuery.Span, dk, B, Tq, Tk, Dq);
        Gemm.MatMulTransA(dk, memory.Span, w.Grad.Span, Dq, Dm, B * Tk, accumulate: true);                    // dW (Dq, Dm) += dkᵀ · m
        Gemm.MatMul(dk, w.Value.Span, gradMemory.Span, B * Tk, Dm, Dq, accumulate: true);                     // dm (B·Tk, Dm) += dk · W
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new();
}
