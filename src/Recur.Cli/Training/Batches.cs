namespace Recur.Cli.Training;

/// <summary>Mini-batches of fixed-shape samples.</summary>
internal static class Batches
{
    /// <summary>Batches of <paramref name="batch"/> rows of (N, …) inputs and targets, in a fresh random order.</summary>
    public static IEnumerable<Batch> Shuffled(Tensor x, Tensor y, int batch, SeededRandom random)
    {
        int n = x.Size(0), xw = x.Length / n, yw = y.Length / n;
        var order = Enumerable.Range(0, n).ToArray();
        random.Shuffle(order.AsSpan());
        for (int start = 0; start < n; start += batch)
        {
            int b = Math.Min(batch, n - start);
            var xb = new float[b * xw];
            var yb = new float[b * yw];
            for (int i = 0; i < b; i++)
            {
                x.Span.Slice(order[start + i] * xw, xw).CopyTo(xb.AsSpan(i * xw));
                y.Span.Slice(order[start + i] * yw, yw).CopyTo(yb.AsSpan(i * yw));
            }
            var xs = x.ShapeArray;
            xs[0] = b;
            var ys = y.ShapeArray;
            ys[0] = b;
            yield return new Batch(new Tensor(xb, xs), new Tensor(yb, ys));
        }
    }
}
