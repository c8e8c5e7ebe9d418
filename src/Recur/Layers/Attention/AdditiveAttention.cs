using System.Text.Json.Nodes;
using Recur.Initializers;
using Recur.Kernels;

namespace Recur.Layers.Attention;

/// <summary>
/// Bahdanau's additive attention: s_ij = vᵀ tanh(W_q q_i + W_m m_j + b), as the PyTorch
/// seq2seq tutorial's <c>BahdanauAttention</c> (Keras' <c>AdditiveAttention</c> is the case
/// without projections).
/// </summary>
/// <remarks>
/// <para>Shapes (A attention units): query (B, Tq, Dq), memory (B, Tk, Dm) → context (B, Tq, Dm),
/// weights (B, Tq, Tk); the tanh activations e (B, Tq, Tk, A) are cached for backward.</para>
/// <para>Parameters: <c>query_weight</c> W_q (A, Dq), <c>memory_weight</c> W_m (A, Dm) and
/// <c>v</c> (A), Glorot-uniform; <c>bias</c> b (A), zeros. (A bias after v would shift every score
/// of a row equally and change nothing, so there is none.)</para>
/// </remarks>
public sealed class AdditiveAttention : AttentionLayer
{
    private Parameter? _wq;   // (A, Dq)
    private Parameter? _wm;   // (A, Dm)
    private Parameter? _bias; // (A)
    private Parameter? _v;    // (A)

    /// <summary>Creates additive attention with <paramref name="units"/> hidden units A.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is not positive.</exception>
    public AdditiveAttention(int units, string? name = null) : base(name)
    {
        if (units <= 0) throw new ArgumentOutOfRangeException(nameof(units), units, $"units must be positive; got {units}.");
        Units = units;
    }

    /// <summary>Number of hidden units A.</summary>
    public int Units { get; }

    /// <inheritdoc/>
    protected override void BuildScore(int queryFeatures, int memoryFeatures, SeededRandom random)
    {
        int A = Units;
        var wq = Tensor.Zeros(A, queryFeatures);
        Initializer.GlorotUniform(wq.Span, queryFeatures, A, random);
        var wm = Tensor.Zeros(A, memoryFeatures);
        Initializer.GlorotUniform(wm.Span, memoryFeatures, A, random);
        var v = Tensor.Zeros(A);
        Initializer.GlorotUniform(v.Span, A, 1, random);
        _wq = AddParameter("query_weight", wq);
        _wm = AddParameter("memory_weight", wm);
        _bias = AddParameter("bias", Tensor.Zeros(A));
        _v = AddParameter("v", v);
    }

    /// <inheritdoc/>
    protected override object? Scores(Tensor query, Tensor memory, Span<float> scores)
    {
        int B = query.Size(0), Tq = query.Size(1), Dq = query.Size(2), Tk = memory.Size(1), Dm = memory.Size(2), A = Units;
        var pq = new float[B * Tq * A];                                     // (B·Tq, A) = q · W_qᵀ + b
        Gemm.MatMulTransB(query.Span, _wq!.Value.Span, pq, B * Tq, A, Dq);
        var b0 = _bias!.Value.Span;
        for (int r = 0; r < B * Tq; r++)
            for (int u = 0; u < A; u++) pq[r * A + u] += b0[u];
        var pm = new float[B * Tk * A];                                     // (B·Tk, A) = m · W_mᵀ
        Gemm.MatMulTransB(memory.Span, _wm!.Value.Span, pm, B * Tk, A, Dm);
        var e = new float[B * Tq * Tk * A];                                 // (B, Tq, Tk, A) = tanh(pq_i + pm_j)
        var v = _v!.Value.Span;
        for (int b = 0; b < B; b++)
            for (int i = 0; i < Tq; i++)
            {
                var qi = pq.AsSpan((b * Tq + i) * A, A);
                for (int j = 0; j < Tk; j++)
                {
                    var mj = pm.AsSpan((b * Tk + j) * A, A);
                    var eij = e.AsSpan(((b * Tq + i) * Tk + j) * A, A);
                    float s = 0;
                    for (int u = 0; u < A; u++) s += v[u] * (eij[u] = MathF.Tanh(qi[u] + mj[u]));
                    scores[(b * Tq + i) * Tk + j] = s;
                }
            }
        return e;
    }

    /// <inheritdoc/>
    protected override void ScoresBackward(object? scoreCache, Tensor query, Tensor memory, ReadOnlySpan<float> gradScores, Tensor gradQuery, Tensor gradMemory)
    {
        int B = query.Size(0), Tq = query.Size(1), Dq = query.Size(2), Tk = memory.Size(1), Dm = memory.Size(2), A = Units;
        var e = (float[])scoreCache!;
        var v = _v!.Value.Span;
        var dv = _v.Grad.Span;
        var dpq = new float[B * Tq * A]; // (B·Tq, A) = Σ_j ∂L/∂(pre-activation)_ij
        var dpm = new float[B * Tk * A]; // (B·Tk, A) = Σ_i ∂L/∂(pre-activation)_ij
        for (int b = 0; b < B; b++)
            for (int i = 0; i < Tq; i++)
                for (int j = 0; j < Tk; j++)
                {
                    float ds = gradScores[(b * Tq + i) * Tk + j];
                    if (ds == 0f) continue; // masked steps (and exact zeros) contribute nothing
                    var eij = e.AsSpan(((b * Tq + i) * Tk + j) * A, A);
                    var gq = dpq.AsSpan((b * Tq + i) * A, A);
                    var gm = dpm.AsSpan((b * Tk + j) * A, A);
                    for (int u = 0; u < A; u++)
                    {
                        // s = v · e:  dv += ds·e;  de = ds·v;  e = tanh(z): dz = de ⊙ (1 − e²)
                        dv[u] += ds * eij[u];
                        float dz = ds * v[u] * (1 - eij[u] * eij[u]);
                        gq[u] += dz;
                        gm[u] += dz;
                    }
                }
        Reductions.AddColumnSums(dpq, B * Tq, A, _bias!.Grad.Span);                                         // db (A) += Σ_rows dpq
        Gemm.MatMulTransA(dpq, query.Span, _wq!.Grad.Span, A, Dq, B * Tq, accumulate: true);                 // dW_q (A, Dq) += dpqᵀ · q
        Gemm.MatMul(dpq, _wq.Value.Span, gradQuery.Span, B * Tq, Dq, A, accumulate: true);                  // dq (B·Tq, Dq) += dpq · W_q
        Gemm.MatMulTransA(dpm, memory.Span, _wm!.Grad.Span, A, Dm, B * Tk, accumulate: true);                // dW_m (A, Dm) += dpmᵀ · m
        Gemm.MatMul(dpm, _wm.Value.Span, gradMemory.Span, B * Tk, Dm, A, accumulate: true);                  // dm (B·Tk, Dm) += dpm · W_m
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["units"] = Units };
}
