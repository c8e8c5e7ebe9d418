using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// Applies a layer independently at every time step: (B, T, …) → (B·T, …) → layer → (B, T, …′).
/// The input mask passes through.
/// </summary>
public sealed class TimeDistributed : Layer
{

    /// <summary>Wraps <paramref name="layer"/>, which sees one step of every sequence as its batch.</summary>
    public TimeDistributed(Layer layer, string? name = null) : base(name ?? "time_distributed_" + layer?.Name)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Inner = layer;
    }

    /// <summary>The layer applied at every step.</summary>
    public Layer Inner { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => Inner.Parameters;

    /// <inheritdoc/>
    public override IEnumerable<Layer> InnerLayers => [Inner];

    /// <inheritdoc/>
    public override IEnumerable<SeededRandom> RandomStreams => Inner.RandomStreams;

    /// <inheritdoc/>
    protected override void BuildCore(int[] inputShape, SeededRandom random)
    {
        RequireTimeAxis(inputShape);
        Inner.Build(inputShape[1..], random);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        RequireTimeAxis(inputShape);
        return new[] { inputShape[0] }.Concat(Inner.ComputeOutputShape(inputShape[1..])).ToArray();
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
    {
        EnsureBuilt(input);
        int batch = input.Size(0), steps = input.Size(1);
        var flat = input.Reshape(new[] { batch * steps }.Concat(input.ShapeArray[2..]).ToArray());
        var y = Inner.Forward(flat, null, training);
        SaveForBackward(new Box<(int Batch, int Steps)>((batch, steps)));
        return y.Reshape(new[] { batch, steps }.Concat(y.ShapeArray[1..]).ToArray());
    }

    /// <inheritdoc/>
    public override Tensor Infer(Tensor input, SequenceMask? mask = null)
    {
        EnsureBuilt(input);
        int batch = input.Size(0), steps = input.Size(1);
        var y = Inner.Infer(input.Reshape(new[] { batch * steps }.Concat(input.ShapeArray[2..]).ToArray()), null);
        return y.Reshape(new[] { batch, steps }.Concat(y.ShapeArray[1..]).ToArray());
    }

    /// <inheritdoc/>
    public override Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var (batch, steps) = TakeForBackward<Box<(int Batch, int Steps)>>(c => RequireLeading(gradOutput, c.Value.Batch, c.Value.Steps)).Value;
        var flat = gradOutput.Reshape(new[] { batch * steps }.Concat(gradOutput.ShapeArray[2..]).ToArray());
        var dx = Inner.Backward(flat);
        return dx.Reshape(new[] { batch, steps }.Concat(dx.ShapeArray[1..]).ToArray());
    }

    private static void RequireLeading(Tensor gradOutput, int batch, int steps)
    {
        if (gradOutput.Rank < 2 || gradOutput.Size(0) != batch || gradOutput.Size(1) != steps)
            throw new ArgumentException($"gradOutput has shape {Tensor.ShapeString(gradOutput.Shape)}; expected ({batch}, {steps}, …) as the forward call's output.", nameof(gradOutput));
    }

    private void RequireTimeAxis(int[] inputShape)
    {
        if (inputShape.Length < 2)
            throw new ArgumentException($"TimeDistributed '{Name}' needs inputs (batch, time, …); got per-sample shape ({string.Join(", ", inputShape)}).", nameof(inputShape));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["layer"] = LayerRegistry.Describe(Inner) };

    internal static TimeDistributed FromConfig(LayerConfig c) => new(LayerRegistry.Create(c.Object("layer")), c.LayerName);
}
