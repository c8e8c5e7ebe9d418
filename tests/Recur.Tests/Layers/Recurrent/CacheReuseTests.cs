using Recur.Layers;
using Recur.Layers.Recurrent;
using Xunit.Abstractions;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: B batch, T time, I input, S the width of h, H hidden, LD layers × directions, W output width.

/// <summary>
/// A layer keeps its time loop's buffers from one call to the next and reuses them for any call
/// they are large enough for (a server's batches and length-bucketed training batches vary in
/// size from call to call). A call on buffers a larger call left must give, bit for bit, what it
/// gives on a fresh layer: nothing of the earlier call may leak into it, forward or back.
/// </summary>
public class CacheReuseTests(ITestOutputHelper output)
{
    private const int I = 4, H = 9;

    public static IEnumerable<object[]> Cells() => RecurrentFactory.Cells.Select(c => new object[] { c });

    private static RecurrentLayer Layer(string cell)
    {
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions
        {
            NumLayers = 2, Bidirectional = true, ReturnSequences = true, Initialization = RecurrentInit.PyTorch,
        });
        layer.Build(new[] { 0, I }, new SeededRandom(5));
        return layer;
    }

    /// <summary>(B, T, I) values everywhere, the padding included; lengths 1 to T in a mixed order.</summary>
    private static (Tensor X, SequenceMask Mask) Batch(int batch, int steps, ulong seed)
    {
        var random = new SeededRandom(seed);
        var x = Tensor.Zeros(batch, steps, I);
        for (int i = 0; i < x.Length; i++) x.Span[i] = 3f * random.Normal(); // large values: saturated gates, far from zero
        var lengths = Enumerable.Range(0, batch).Select(b => 1 + (b * 5 + 2) % steps).ToArray();
        return (x, SequenceMask.FromLengths(lengths, steps));
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Inference_after_a_larger_call_gives_the_fresh_layer_answer(string cell)
    {
        var (bigX, bigMask) = Batch(23, 13, 1);
        var (x, mask) = Batch(5, 6, 2);
        var fresh = Layer(cell).Infer(x, null, null, mask);

        var layer = Layer(cell);
        layer.Infer(bigX, null, null, bigMask);
        var reused = layer.Infer(x, null, null, mask);
        AssertSame(fresh, reused, "a short masked batch after a long one");

        // One row (the hidden units split instead of the rows), then unmasked: every loop on the large call's buffers.
        var row = Tensor.FromArray(x.Span[..(6 * I)].ToArray(), 1, 6, I);
        AssertSame(Layer(cell).Infer(row), layer.Infer(row), "one row after the long batch");
        AssertSame(Layer(cell).Infer(x), layer.Infer(x), "an unmasked batch after the long one");
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Training_after_a_larger_call_gives_the_fresh_layer_gradients(string cell)
    {
        var (bigX, bigMask) = Batch(23, 13, 1);
        var (x, mask) = Batch(5, 6, 2);
        var dy = Tensor.FromArray(Enumerable.Range(0, 5 * 6 * 2 * H).Select(k => MathF.Sin(k * 0.37f)).ToArray(), 5, 6, 2 * H);

        (RecurrentOutput Output, RecurrentGradients Grads, float[][] Params) Step(RecurrentLayer layer)
        {
            var o = layer.ForwardWithState(x, null, null, mask, training: true);
            var g = layer.BackwardWithState(dy); // no ∂L/∂h_n: the loop starts from cleared buffers
            return (o, g, layer.Parameters.Select(p => p.Grad.ToArray()).ToArray());
        }

        var fresh = Step(Layer(cell));
        var layer = Layer(cell);
        layer.ForwardWithState(bigX, null, null, bigMask, training: true);
        var bigDy = Tensor.FromArray(Enumerable.Range(0, 23 * 13 * 2 * H).Select(k => MathF.Cos(k * 0.11f) * 5f).ToArray(), 23, 13, 2 * H);
        var bigH = Tensor.FromArray(Enumerable.Range(0, 4 * 23 * H).Select(k => 7f).ToArray(), 4, 23, H);
        layer.BackwardWithState(bigDy, bigH, cell == "lstm" ? bigH : null);
        foreach (var p in layer.Parameters) p.ZeroGrad();
        var reused = Step(layer);

        AssertSame(fresh.Output, reused.Output, "training forward after a long batch");
        Assert.True(fresh.Grads.Input!.Span.SequenceEqual(reused.Grads.Input!.Span), "∂L/∂x differs after a long batch");
        Assert.True(fresh.Grads.InitialHidden.Span.SequenceEqual(reused.Grads.InitialHidden.Span), "∂L/∂h0 differs after a long batch");
        if (fresh.Grads.InitialCell is { } dc0) Assert.True(dc0.Span.SequenceEqual(reused.Grads.InitialCell!.Span), "∂L/∂c0 differs after a long batch");
        for (int k = 0; k < fresh.Params.Length; k++)
            Assert.True(fresh.Params[k].AsSpan().SequenceEqual(reused.Params[k]), $"the gradient of {layer.Parameters[k].Name} differs after a long batch");
    }

    /// <summary>
    /// A cell keeps its packed recurrent weights from one call to the next (packed again only
    /// when they change): weights changed in place between two calls (an optimizer step, a
    /// loaded checkpoint) must be the ones the second call uses, in every loop.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cells))]
    public void Weights_changed_between_calls_are_the_ones_the_next_call_uses(string cell)
    {
        var (x, mask) = Batch(5, 6, 2);
        var row = Tensor.FromArray(x.Span[..(6 * I)].ToArray(), 1, 6, I);
        var layer = Layer(cell);
        layer.Infer(x, null, null, mask);
        layer.Infer(row);
        foreach (var p in layer.Parameters.Where(p => p.Name.StartsWith("weight_hh", StringComparison.Ordinal)))
            p.Value.Span[3] += 0.25f; // one value of every W_hh: its packed copy is stale now

        var changed = Layer(cell);
        for (int k = 0; k < changed.Parameters.Count; k++) layer.Parameters[k].Value.Span.CopyTo(changed.Parameters[k].Value.Span);
        AssertSame(changed.Infer(x, null, null, mask), layer.Infer(x, null, null, mask), "a batch after W_hh changed");
        AssertSame(changed.Infer(row), layer.Infer(row), "one row after W_hh changed");
    }

    /// <summary>
    /// Calls of varying batch size and length, each no larger than one before them, allocate only
    /// what they return and their per-call bookkeeping: no time-loop or workspace buffer (the
    /// figures go to the test output; the bound allows a tenth of what those buffers weigh).
    /// </summary>
    [Fact]
    public void Calls_no_larger_than_an_earlier_one_allocate_no_loop_buffers()
    {
        const int units = 128, inputs = 64;
        var layer = new Lstm(units, new RecurrentOptions { Bidirectional = true, ReturnSequences = true });
        layer.Build(new[] { 0, inputs }, new SeededRandom(1));
        var shapes = new[] { (22, 47), (7, 20), (13, 31), (5, 12), (22, 40), (9, 47) }; // (B, T): server-like batches of SST-2 sentences
        var calls = shapes.Select((s, k) =>
        {
            var random = new SeededRandom((ulong)k);
            var x = Tensor.Zeros(s.Item1, s.Item2, inputs);
            for (int i = 0; i < x.Length; i++) x.Span[i] = random.Normal();
            var lengths = Enumerable.Range(0, s.Item1).Select(b => s.Item2 - b * s.Item2 / (s.Item1 + 1)).ToArray();
            return (X: x, Mask: SequenceMask.FromLengths(lengths, s.Item2));
        }).ToArray();
        foreach (var (x, mask) in calls) layer.Infer(x, null, null, mask); // the largest first, then every shape once (the shared array pool's buckets)

        var perCall = new List<long>();
        foreach (var (x, mask) in calls.Skip(1))
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var result = layer.Infer(x, null, null, mask);
            perCall.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(x.Size(0), result.Output.Size(0));
        }
        output.WriteLine($"bytes allocated per call after the largest: {string.Join(", ", perCall)}");
        for (int k = 0; k < perCall.Count; k++)
        {
            var (x, _) = calls[k + 1];
            long rows = (long)x.Size(0) * x.Size(1);
            // What a call must allocate: its (B, T, 2H) output; what its loop's buffers weigh: (T, B, I) input, per direction
            // (T+1, B, H) states and cells, (T, B, 4H) gates, (T, B, H) tanh c and masked outputs, and the (T, B, 2H) merged output.
            long returned = 4 * rows * 2 * units, loopBuffers = 4 * rows * (inputs + 2 * (4 + 1 + 1 + 1 + 1) * units + 2 * units);
            Assert.True(perCall[k] < returned + loopBuffers / 10,
                $"call {k + 1} ({x.Size(0)} × {x.Size(1)}): {perCall[k]} bytes allocated; expected below {returned + loopBuffers / 10} (its output {returned}, its loop's buffers {loopBuffers})");
        }
    }

    private static void AssertSame(RecurrentOutput expected, RecurrentOutput actual, string what)
    {
        Assert.True(expected.Output.Span.SequenceEqual(actual.Output.Span), $"{what}: the outputs differ from a fresh layer's");
        Assert.True(expected.HiddenState.Span.SequenceEqual(actual.HiddenState.Span), $"{what}: h_n differs from a fresh layer's");
        if (expected.CellState is { } c) Assert.True(c.Span.SequenceEqual(actual.CellState!.Span), $"{what}: c_n differs from a fresh layer's");
    }
}
