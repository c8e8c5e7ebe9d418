using Recur.Kernels;

namespace Recur.Layers.Attention;

/// <summary>
/// Attention of a sequence of queries over a memory (the decoder's states over the encoder's
/// outputs): scores s_ij = score(q_i, m_j), weights a_i = softmax_j(s_i) over the real memory
/// steps only, context c_i = Σ_j a_ij m_j. The memory serves as both keys and values, as in
/// Luong et al. (2015) and Bahdanau et al. (2015). Subclasses define the score.
/// </summary>
/// <remarks>
/// <para>Shapes (B batch, Tq query steps, Tk memory steps, Dq query and Dm memory features):
/// query (B, Tq, Dq), memory (B, Tk, Dm), memory mask (B, Tk) → context (B, Tq, Dm), weights (B, Tq, Tk).</para>
/// <para>Masking: scores of padded memory steps are left out of the softmax, so their weights are
/// exactly 0 and they get no gradient. A row whose memory has no real step gets zero weights and
/// a zero context.</para>
/// <para>Call with <see cref="Attend"/> and back-propagate with <see cref="Backward(AttentionCache, Tensor)"/>; the forward
/// cache is returned as a value, so one layer can attend several times in one pass. The
/// single-input <see cref="Layer.Forward"/> does not apply (attention has two inputs).</para>
/// </remarks>
public abstract class AttentionLayer : Layer
{
    /// <summary>Creates the layer.</summary>
    protected AttentionLayer(string? name) : base(name) { }

    /// <summary>Query features Dq, once built.</summary>
    public int QueryFeatures { get; private set; }

    /// <summary>Memory features Dm, once built.</summary>
    public int MemoryFeatures { get; private set; }

    /// <summary>Builds the weights for queries of <paramref name="queryFeatures"/> and memories of <paramref name="memoryFeatures"/> features.</summary>
    public void Build(int queryFeatures, int memoryFeatures, SeededRandom? random = null)
    {
        if (queryFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(queryFeatures), queryFeatures, "queryFeatures must be positive.");
        if (memoryFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(memoryFeatures), memoryFeatures, "memoryFeatures must be positive.");
        CheckFeatures(queryFeatures, memoryFeatures);
        if (IsBuilt)
        {
            if (queryFeatures != QueryFeatures || memoryFeatures != MemoryFeatures)
                throw new ArgumentException($"Layer '{Name}' was built for queries of {QueryFeatures} and memories of {MemoryFeatures} features; got {queryFeatures} and {memoryFeatures}.");
            return;
        }
        (QueryFeatures, MemoryFeatures) = (queryFeatures, memoryFeatures);
        Build([-1, queryFeatures, memoryFeatures], random);
    }

    /// <summary>Throws when the score cannot combine these feature sizes (dot needs Dq = Dm).</summary>
    protected virtual void CheckFeatures(int queryFeatures, int memoryFeatures) { }

    /// <inheritdoc/>
    /// <remarks>The shape given to <see cref="Layer.Build"/> is (−1, Dq, Dm).</remarks>
    protected override void BuildCore(int[] inputShape, SeededRandom random) => BuildScore(inputShape[1], inputShape[2], random);

    /// <summary>Creates the score's parameters.</summary>
    protected virtual void BuildScore(int queryFeatures, int memoryFeatures, SeededRandom random) { }

    /// <inheritdoc/>
    /// <remarks>The context has the memory's features: (Tq, Dq) → (Tq, Dm).</remarks>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return [inputShape[0], MemoryFeatures];
    }

    /// <summary>Not available: attention takes a query and a memory; use <see cref="Attend"/>.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
        => throw new NotSupportedException($"Layer '{Name}' ({GetType().Name}) takes a query and a memory: call Attend(query, memory, memoryMask).");

    /// <summary>Not available: use <see cref="Backward(AttentionCache, Tensor)"/> with the cache of the call.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Tensor Backward(Tensor gradOutput)
        => throw new NotSupportedException($"Layer '{Name}' ({GetType().Name}) back-propagates with Backward(cache, gradContext).");

    /// <summary>Attends: returns the context, the weights when <paramref name="returnWeights"/>, and the cache when <paramref name="training"/>.</summary>
    /// <param name="query">(B, Tq, Dq).</param>
    /// <param name="memory">(B, Tk, Dm).</param>
    /// <param name="memoryMask">(B, Tk) real memory steps, or null when all are real.</param>
    /// <param name="returnWeights">Also return the (B, Tq, Tk) weights (for plots).</param>
    /// <param name="training">Keep the cache for <see cref="Backward(AttentionCache, Tensor)"/>.</param>
    /// <exception cref="ArgumentException">Shapes that do not fit; the message names the argument and both shapes.</exception>
    public AttentionOutput Attend(Tensor query, Tensor memory, SequenceMask? memoryMask = null, bool returnWeights = false, bool training = false)
    {
        Tensor.RequireRank(query, 3, nameof(query), "(batch, query steps, features)");
        Tensor.RequireRank(memory, 3, nameof(memory), "(batch, memory steps, features)");
        int B = query.Size(0), Tq = query.Size(1), Dq = query.Size(2), Tk = memory.Size(1), Dm = memory.Size(2);
        if (memory.Size(0) != B)
            throw new ArgumentException($"memory has shape {Tensor.ShapeString(memory.Shape)}; expected batch {B} like the query {Tensor.ShapeString(query.Shape)}.", nameof(memory));
        memoryMask?.RequireShape(B, Tk, nameof(memoryMask));
        Build(Dq, Dm);

        // s (B, Tq, Tk) = score(q, m)
        var weights = new float[B * Tq * Tk];
        object? scoreCache = Scores(query, memory, weights);
        // a_i = softmax over real j of s_ij, in place: (B, Tq, Tk)
        MaskedSoftmax(weights, B, Tq, Tk, memoryMask);
        // c (B, Tq, Dm) = a (Tq, Tk) · m (Tk, Dm) per batch row
        var context = Tensor.Zeros(B, Tq, Dm);
        for (int b = 0; b < B; b++)
            Gemm.MatMul(weights.AsSpan(b * Tq * Tk, Tq * Tk), memory.Span.Slice(b * Tk * Dm, Tk * Dm), context.Span.Slice(b * Tq * Dm, Tq * Dm), Tq, Dm, Tk);
        return new AttentionOutput(context,
            returnWeights ? new Tensor(training ? (float[])weights.Clone() : weights, B, Tq, Tk) : null,
            training ? new AttentionCache(query, memory, weights, scoreCache) : null);
    }

    /// <summary>
    /// Back-propagates ∂L/∂context of the call that made <paramref name="cache"/>: accumulates the
    /// parameter gradients (<c>+=</c>) and returns ∂L/∂query and ∂L/∂memory.
    /// </summary>
    /// <param name="cache">The cache of an <see cref="Attend"/> call made with training = true.</param>
    /// <param name="gradContext">(B, Tq, Dm).</param>
    public AttentionGradients Backward(AttentionCache cache, Tensor gradContext)
    {
        ArgumentNullException.ThrowIfNull(cache);
        var q = cache.Query;
        var m = cache.Memory;
        int B = q.Size(0), Tq = q.Size(1), Tk = m.Size(1), Dm = m.Size(2);
        Tensor.RequireShape(gradContext, [B, Tq, Dm], nameof(gradContext));
        var a = cache.Weights;
        var dm = Tensor.Zeros(m.ShapeArray);  // (B, Tk, Dm)
        var ds = new float[B * Tq * Tk];      // (B, Tq, Tk), first ∂L/∂a, then ∂L/∂s
        for (int b = 0; b < B; b++)
        {
            var dc = gradContext.Span.Slice(b * Tq * Dm, Tq * Dm);      // (Tq, Dm)
            var mb = m.Span.Slice(b * Tk * Dm, Tk * Dm);                // (Tk, Dm)
            var ab = a.AsSpan(b * Tq * Tk, Tq * Tk);                    // (Tq, Tk)
            // c = a · m:  ∂L/∂a = dc · mᵀ (Tq, Tk);  ∂L/∂m += aᵀ · dc (Tk, Dm)
            Gemm.MatMulTransB(dc, mb, ds.AsSpan(b * Tq * Tk, Tq * Tk), Tq, Tk, Dm);
            Gemm.MatMulTransA(ab, dc, dm.Span.Slice(b * Tk * Dm, Tk * Dm), Tk, Dm, Tq);
        }
        // a = softmax(s):  ∂L/∂s_ij = a_ij (∂L/∂a_ij − Σ_k a_ik ∂L/∂a_ik); zero where a is (masked steps).
        for (int row = 0; row < B * Tq; row++)
        {
            var ar = a.AsSpan(row * Tk, Tk);
            var dr = ds.AsSpan(row * Tk, Tk);
            double dot = 0;
            for (int j = 0; j < Tk; j++) dot += ar[j] * dr[j];
            for (int j = 0; j < Tk; j++) dr[j] = (float)(ar[j] * (dr[j] - dot));
        }
        var dq = Tensor.Zeros(q.ShapeArray); // (B, Tq, Dq)
        ScoresBackward(cache.ScoreCache, q, m, ds, dq, dm);
        return new AttentionGradients(dq, dm);
    }

    /// <summary>Writes the scores s (B, Tq, Tk) of every query against every memory step; returns what <see cref="ScoresBackward"/> needs.</summary>
    protected abstract object? Scores(Tensor query, Tensor memory, Span<float> scores);

    /// <summary>
    /// Given ∂L/∂s (B, Tq, Tk), accumulates the score's parameter gradients and adds its parts of
    /// ∂L/∂query (B, Tq, Dq) and ∂L/∂memory (B, Tk, Dm) into <paramref name="gradQuery"/> and <paramref name="gradMemory"/>.
    /// </summary>
    protected abstract void ScoresBackward(object? scoreCache, Tensor query, Tensor memory, ReadOnlySpan<float> gradScores, Tensor gradQuery, Tensor gradMemory);

    /// <summary>
    /// Row-wise softmax over the real memory steps, in place on (B, Tq, Tk): masked steps get
    /// weight 0; a row with no real step is all zeros.
    /// </summary>
    internal static void MaskedSoftmax(Span<float> s, int B, int Tq, int Tk, SequenceMask? mask)
    {
        for (int b = 0; b < B; b++)
            for (int i = 0; i < Tq; i++)
            {
                var row = s.Slice((b * Tq + i) * Tk, Tk);
                float max = float.NegativeInfinity;
                for (int j = 0; j < Tk; j++)
                    if (mask is null || mask[b, j]) max = Math.Max(max, row[j]);
                if (float.IsNegativeInfinity(max))
                {
                    row.Clear();
                    continue;
                }
                double sum = 0;
                for (int j = 0; j < Tk; j++)
                {
                    float e = mask is null || mask[b, j] ? MathF.Exp(row[j] - max) : 0f;
                    row[j] = e;
                    sum += e;
                }
                float inv = (float)(1 / sum);
                for (int j = 0; j < Tk; j++) row[j] *= inv;
            }
    }
}
