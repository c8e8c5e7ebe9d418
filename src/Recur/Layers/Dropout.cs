using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// Inverted dropout: while training, each element is zeroed with probability <see cref="Rate"/>
/// and the kept ones are scaled by 1 / (1 − rate), so the expected output equals the input and
/// inference needs no rescaling. Outside training the layer is the identity.
/// </summary>
/// <remarks>
/// <para>Shapes: any input (B, …) → output of the same shape. The input mask passes through.</para>
/// <para>Determinism: with a <c>seed</c>, the drop pattern comes from <c>new SeededRandom(seed)</c>;
/// without one, from a generator forked off the one the layer is built with (so a model seed
/// still fixes it). Each training forward pass draws the next pattern from that stream.</para>
/// </remarks>
public sealed class Dropout : Layer
{
    private SeededRandom? _random;

    /// <summary>One call's forward cache: the input shape and 0 or 1/(1 − rate) per element (null = identity).</summary>
    private sealed record Call(int[] Shape, float[]? Scale);

    /// <summary>Creates a dropout layer.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public Dropout(float rate, ulong? seed = null, string? name = null) : base(name)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"rate must be in [0, 1); got {rate}.");
        Rate = rate;
        DropSeed = seed;
        if (seed is ulong s) _random = new SeededRandom(s);
    }

    /// <inheritdoc/>
    public override IEnumerable<SeededRandom> RandomStreams => _random is null ? [] : [_random];

    /// <summary>Probability of zeroing each element while training.</summary>
    public float Rate { get; }

    /// <summary>The seed given at construction, or null.</summary>
    public ulong? DropSeed { get; }

    /// <inheritdoc/>
    protected override void BuildCore(int[] inputShape, SeededRandom random)
    {
        _random ??= random.Fork();
    }

    /// <inheritdoc/>
    /// <remarks>The output shape equals the input shape.</remarks>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        return (int[])inputShape.Clone();
    }

    /// <summary>Inference: a copy of x (dropout acts only while training).</summary>
    public override Tensor Infer(Tensor input, SequenceMask? mask = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0)
            throw new ArgumentException("input has shape (); expected (batch, …).", nameof(input));
        if (!IsBuilt) Build(input.ShapeArray[1..]);
        return input.Clone();
    }

    /// <summary>Returns x ⊙ m / (1 − rate) with m ~ Bernoulli(1 − rate) when training, else a copy of x.</summary>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0)
            throw new ArgumentException("input has shape (); expected (batch, …).", nameof(input));
        if (!IsBuilt) Build(input.ShapeArray[1..]);
        var shape = input.ShapeArray;
        if (!training || Rate == 0f)
        {
            SaveForBackward(new Call(shape, null));
            return input.Clone();
        }

        float keepScale = 1f / (1f - Rate);
        var scale = new float[input.Length];
        for (int i = 0; i < scale.Length; i++)
            scale[i] = _random!.NextFloat() >= Rate ? keepScale : 0f;
        var output = Tensor.Zeros(shape);
        var x = input.Span;
        var y = output.Span;
        for (int i = 0; i < y.Length; i++) y[i] = x[i] * scale[i];
        SaveForBackward(new Call(shape, scale));
        return output;
    }

    /// <summary>dx = dy ⊙ m / (1 − rate) with the call's pattern (dx = dy outside training).</summary>
    /// <exception cref="InvalidOperationException">No forward call is left to back-propagate.</exception>
    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var scale = TakeForBackward<Call>(c => Tensor.RequireShape(gradOutput, c.Shape, nameof(gradOutput))).Scale;
        var dx = gradOutput.Clone();
        if (scale is not null)
        {
            var d = dx.Span;
            for (int i = 0; i < d.Length; i++) d[i] *= scale[i];
        }
        return dx;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["rate"] = Rate };

    internal static Dropout FromConfig(LayerConfig c) => new(c.Float("rate"), null, c.LayerName);
}
