using Recur.Layers;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Merge;

/// <summary>
/// Add, Multiply and Concatenate called directly (no graph): values, gradients against finite
/// differences, the AND of masks, and the refusals with the layer, the input and the shapes named.
/// </summary>
public class MergeLayerTests
{
    /// <summary>loss = Σ layer(inputs) ⊙ R; BackwardInputs(R) must be ∂loss/∂inputs, for every input.</summary>
    private static void CheckGradients(MergeLayer layer, Tensor[] inputs, int seed = 5)
    {
        var output = layer.Forward(inputs, training: true);
        var r = GradientCheck.RandomWeights(output.Length, seed);
        var grads = layer.BackwardInputs(Tensor.FromArray(r, output.ShapeArray));
        Assert.Equal(inputs.Length, grads.Length);
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(inputs[i].ShapeArray, grads[i].ShapeArray);
            GradientCheck.Check($"{layer.Name}: d/dinput {i}", inputs[i].Data, grads[i].Span, () => GradientCheck.Dot(layer.Infer(inputs).Span, r), eps: 1e-3f);
        }
    }

    private static Tensor[] Random(int seed, params int[][] shapes)
    {
        var r = new SeededRandom(seed);
        return shapes.Select(s => GradientCheck.RandomTensor(r, 1.5f, s)).ToArray();
    }

    [Fact]
    public void Merge_layers_compute_what_they_say()
    {
        var x1 = new Tensor([1f, 2f, 3f, 4f], 2, 2);
        var x2 = new Tensor([10f, 20f, 30f, 40f], 2, 2);
        var x3 = new Tensor([-1f, 0.5f, 2f, 0f], 2, 2);
        Assert.Equal([11f, 22f, 33f, 44f], new Add().Infer([x1, x2]).ToArray());
        Assert.Equal([10f, 22.5f, 35f, 44f], new Add().Infer([x1, x2, x3]).ToArray());
        Assert.Equal([10f, 40f, 90f, 160f], new Multiply().Infer([x1, x2]).ToArray());
        Assert.Equal([-10f, 20f, 180f, 0f], new Multiply().Infer([x1, x2, x3]).ToArray());
        var c = new Concatenate().Infer([x1, new Tensor([5f, 6f], 2, 1)]);
        Assert.Equal(new[] { 2, 3 }, c.ShapeArray);
        Assert.Equal([1f, 2f, 5f, 3f, 4f, 6f], c.ToArray());
        var t = new Concatenate(axis: 1).Infer([new Tensor([1f, 2f], 1, 1, 2), new Tensor([3f, 4f, 5f, 6f], 1, 2, 2)]);
        Assert.Equal(new[] { 1, 3, 2 }, t.ShapeArray);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], t.ToArray());
        // Two samples of (2, 1) and (2, 2) joined along the steps' features (axis −1): rows interleave per step.
        var steps = new Concatenate(axis: -1).Infer([new Tensor([1f, 2f, 3f, 4f], 2, 2, 1), new Tensor([5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f], 2, 2, 2)]);
        Assert.Equal([1f, 5f, 6f, 2f, 7f, 8f, 3f, 9f, 10f, 4f, 11f, 12f], steps.ToArray());
    }

    [Fact]
    public void Add_passes_the_gradient_to_every_input()
    {
        var add = new Add();
        CheckGradients(add, Random(1, [3, 4], [3, 4], [3, 4]));
        add.Forward(Random(2, [2, 2], [2, 2]));
        var dy = new Tensor([1f, -2f, 3f, 0.5f], 2, 2);
        var grads = add.BackwardInputs(dy);
        Assert.All(grads, g => Assert.Equal(dy.ToArray(), g.ToArray()));
        grads[0].Span[0] = 99; // each input gets its own copy
        Assert.Equal(-2f, grads[1].Span[1]);
        Assert.Equal(1f, grads[1].Span[0]);
    }

    [Fact]
    public void Multiply_gives_each_input_the_product_of_the_others_exactly_with_zeros()
    {
        CheckGradients(new Multiply(), Random(3, [2, 3, 2], [2, 3, 2], [2, 3, 2]));
        var multiply = new Multiply();
        var x1 = new Tensor([0f, 2f], 1, 2);
        var x2 = new Tensor([3f, 0f], 1, 2);
        var x3 = new Tensor([5f, 7f], 1, 2);
        multiply.Forward([x1, x2, x3]);
        var grads = multiply.BackwardInputs(new Tensor([1f, 10f], 1, 2));
        Assert.Equal([15f, 0f], grads[0].ToArray());
        Assert.Equal([0f, 140f], grads[1].ToArray());
        Assert.Equal([0f, 0f], grads[2].ToArray());
        // The forward call kept copies: changing an input afterwards changes no gradient.
        multiply.Forward([x1, x2, x3]);
        x3.Span[0] = 100;
        Assert.Equal([15f, 0f], multiply.BackwardInputs(new Tensor([1f, 10f], 1, 2))[0].ToArray());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-2)]
    public void Concatenate_splits_the_gradient_back_along_its_axis(int axis)
    {
        // Per-sample shapes (T, F) that differ only along the joined axis.
        int[][] shapes = axis is -1 or 2 ? [[2, 3, 1], [2, 3, 4], [2, 3, 2]] : [[2, 1, 3], [2, 4, 3], [2, 2, 3]];
        var layer = new Concatenate(axis);
        CheckGradients(layer, Random(4, shapes));
        Assert.Equal(axis is -1 or 2 ? new[] { 3, 7 } : new[] { 7, 3 }, layer.ComputeOutputShape(shapes.Select(s => s[1..]).ToList()));
    }

    [Fact]
    public void Concatenate_of_a_free_axis_is_free_and_shapes_that_differ_elsewhere_are_refused()
    {
        var join = new Concatenate(name: "join");
        Assert.Equal(new[] { 5, -1 }, join.ComputeOutputShape([[5, 2], [5, -1]]));
        Assert.Equal(new[] { -1, 6 }, join.ComputeOutputShape([[-1, 2], [4, 4]]));
        var shapes = Assert.Throws<ArgumentException>(() => join.ComputeOutputShape([[5, 2], [4, 2]]));
        Assert.Equal("inputShapes", shapes.ParamName);
        Assert.Contains("'join' (Concatenate) needs inputs of one shape except the concatenated axis", shapes.Message);
        var batch = Assert.Throws<ArgumentException>(() => join.Infer([Tensor.Zeros(2, 3, 2), Tensor.Zeros(2, 4, 2)]));
        Assert.Equal("inputs", batch.ParamName);
        Assert.Contains("'join' needs inputs of one shape except axis -1; got (2, 3, 2) and (2, 4, 2)", batch.Message);
        var axis = Assert.Throws<ArgumentException>(() => new Concatenate(3, "deep").ComputeOutputShape([[2, 2], [2, 2]]));
        Assert.Contains("'deep': axis 3 does not exist for per-sample rank 2", axis.Message);
        Assert.Throws<ArgumentException>(() => new Concatenate(-3).ComputeOutputShape([[2, 2], [2, 2]]));
        Assert.Equal("axis", Assert.Throws<ArgumentOutOfRangeException>(() => new Concatenate(0)).ParamName);
        join.Forward([Tensor.Zeros(1, 2), Tensor.Zeros(1, 3)]);
        var grad = Assert.Throws<ArgumentException>(() => join.BackwardInputs(Tensor.Zeros(1, 4)));
        Assert.Equal("gradOutput", grad.ParamName);
    }

    [Fact]
    public void Inputs_that_are_too_few_or_of_another_batch_or_shape_are_refused_by_name()
    {
        var add = new Add(name: "sum");
        var few = Assert.Throws<ArgumentException>(() => add.Infer([Tensor.Zeros(2, 3)]));
        Assert.Contains("'sum' (Add) merges at least 2 inputs; got 1", few.Message);
        var batch = Assert.Throws<ArgumentException>(() => add.Infer([Tensor.Zeros(2, 3), Tensor.Zeros(3, 3)]));
        Assert.Contains("input 1 has shape (3, 3); expected (batch = 2, …) like input 0", batch.Message);
        var rank = Assert.Throws<ArgumentException>(() => new Multiply(name: "gate").Infer([Tensor.Zeros(2, 3), Tensor.Zeros(2)]));
        Assert.Contains("'gate': input 1 has shape (2,); expected (batch = 2, …)", rank.Message);
        Assert.Throws<ArgumentException>(() => add.Infer([Tensor.Zeros(2, 3), Tensor.Zeros(2, 4)]));
        var shapes = Assert.Throws<ArgumentException>(() => add.ComputeOutputShape([[3], [4]]));
        Assert.Contains("'sum' (Add) needs inputs of one shape; got", shapes.Message);
        Assert.Equal(new[] { -1, 3 }, add.ComputeOutputShape([[-1, 3], [5, 3]]));
        Assert.Throws<ArgumentException>(() => add.ComputeOutputShape([[3]]));
        Assert.Throws<ArgumentException>(() => add.ComputeOutputShape([[3], [3, 1]]));
        // The one-input entry points of Layer are not for a merge layer.
        var single = Assert.Throws<NotSupportedException>(() => add.Forward(Tensor.Zeros(2, 3)));
        Assert.Contains("'sum' (Add) merges several inputs", single.Message);
        Assert.Throws<NotSupportedException>(() => add.Backward(Tensor.Zeros(2, 3)));
        Assert.Throws<NotSupportedException>(() => add.ComputeOutputShape([3]));
    }

    [Fact]
    public void The_output_mask_is_the_and_of_the_inputs_masks()
    {
        var a = new SequenceMask([true, true, false, true, false, false], 2, 3);
        var b = new SequenceMask([true, false, true, true, true, false], 2, 3);
        var x = new[] { Tensor.Zeros(2, 3, 1), Tensor.Zeros(2, 3, 1), Tensor.Zeros(2, 3, 1) };
        var layer = new Concatenate();
        Assert.Null(layer.ComputeMask(x, [null, null]));
        Assert.Same(a, layer.ComputeMask(x, [null, a, null]));
        Assert.Equal([true, false, false, true, false, false], layer.ComputeMask(x, [a, null, b])!.Flags.ToArray());
        var c = new SequenceMask([true, true, true, true, true, true, true, true], 2, 4);
        Assert.Throws<ArgumentException>(() => layer.ComputeMask(x, [a, c]));
    }
}
