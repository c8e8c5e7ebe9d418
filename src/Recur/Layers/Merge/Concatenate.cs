using System.Text.Json.Nodes;

namespace Recur.Layers;

/// <summary>
/// Joins inputs along one axis (Keras' <c>Concatenate</c>; default the last, features): inputs
/// (B, …, Fᵢ) → (B, …, ΣFᵢ); the gradient is split back along the same axis.
/// </summary>
public sealed class Concatenate : MergeLayer
{
    /// <summary>Creates the layer joining along <paramref name="axis"/> (of the batch tensor; −1 is the last).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is 0 (the batch axis).</exception>
    public Concatenate(int axis = -1, string? name = null) : base(name)
    {
        if (axis == 0) throw new ArgumentOutOfRangeException(nameof(axis), axis, "axis must not be 0 (the batch axis); use −1 for the last axis.");
        Axis = axis;
    }

    /// <summary>The axis of the batch tensor that is joined (negative counts from the end).</summary>
    public int Axis { get; }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(IReadOnlyList<int[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        int axis = PerSampleAxis(inputShapes[0].Length);
        RequireMatchingShapes(inputShapes, axis);
        var output = (int[])inputShapes[0].Clone();
        output[axis] = inputShapes.Any(s => s[axis] < 0) ? -1 : inputShapes.Sum(s => s[axis]);
        return output;
    }

    /// <inheritdoc/>
    public override Tensor Forward(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        var y = Infer(inputs);
        SaveForBackward(inputs.Select(x => x.ShapeArray).ToArray());
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Infer(IReadOnlyList<Tensor> inputs)
    {
        RequireInputs(inputs);
        int axis = PerSampleAxis(inputs[0].Rank - 1) + 1; // of the batch tensor
        var shapes = inputs.Select(x => x.ShapeArray).ToArray();
        var outShape = (int[])shapes[0].Clone();
        outShape[axis] = 0;
        foreach (var s in shapes)
        {
            bool ok = s.Length == shapes[0].Length;
            for (int d = 0; ok && d < s.Length; d++) ok = d == axis || s[d] == shapes[0][d];
            if (!ok)
                throw new ArgumentException($"Layer '{Name}' needs inputs of one shape except axis {Axis}; got {string.Join(" and ", shapes.Select(sh => Tensor.ShapeString(sh)))}.", nameof(inputs));
            outShape[axis] += s[axis];
        }
        var y = Tensor.Zeros(outShape);
        // Outer rows (everything before the axis) × one block per input (its axis length × inner size).
        int outer = Size(outShape, 0, axis), inner = Size(outShape, axis + 1, outShape.Length);
        int rowWidth = outShape[axis] * inner, offset = 0;
        foreach (var x in inputs)
        {
            int block = x.Size(axis) * inner;
            for (int r = 0; r < outer; r++)
                x.Span.Slice(r * block, block).CopyTo(y.Span.Slice(r * rowWidth + offset, block));
            offset += block;
        }
        return y;
    }

    /// <inheritdoc/>
    public override Tensor[] BackwardInputs(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        var shapes = TakeForBackward<int[][]>(s => RequireGradient(gradOutput, s));
        int axis = PerSampleAxis(shapes[0].Length - 1) + 1;
        var outShape = gradOutput.ShapeArray;
        int outer = Size(outShape, 0, axis), inner = Size(outShape, axis + 1, outShape.Length);
        int rowWidth = outShape[axis] * inner, offset = 0;
        var grads = new Tensor[shapes.Length];
        for (int i = 0; i < shapes.Length; i++)
        {
            var g = Tensor.Zeros(shapes[i]);
            int block = shapes[i][axis] * inner;
            for (int r = 0; r < outer; r++)
                gradOutput.Span.Slice(r * rowWidth + offset, block).CopyTo(g.Span.Slice(r * block, block));
            offset += block;
            grads[i] = g;
        }
        return grads;
    }

    private void RequireGradient(Tensor gradOutput, int[][] shapes)
    {
        int axis = PerSampleAxis(shapes[0].Length - 1) + 1;
        var expected = (int[])shapes[0].Clone();
        expected[axis] = shapes.Sum(s => s[axis]);
        Tensor.RequireShape(gradOutput, expected, nameof(gradOutput));
    }

    /// <summary>The joined axis among the per-sample axes (no batch axis) of rank <paramref name="rank"/>.</summary>
    private int PerSampleAxis(int rank)
    {
        int axis = Axis < 0 ? rank + Axis : Axis - 1;
        if (axis < 0 || axis >= rank)
            throw new ArgumentException($"Layer '{Name}': axis {Axis} does not exist for per-sample rank {rank}.", "inputShapes");
        return axis;
    }

    private static int Size(int[] shape, int from, int to)
    {
        int n = 1;
        for (int d = from; d < to; d++) n *= shape[d];
        return n;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["axis"] = Axis };

    internal static Concatenate FromConfig(LayerConfig c) => new(c.Int("axis"), c.LayerName);
}
