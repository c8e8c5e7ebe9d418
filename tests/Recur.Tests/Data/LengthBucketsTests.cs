using Recur.Data;

namespace Recur.Tests.Data;

public class LengthBucketsTests
{
    /// <summary>Row i of x is (i, key_i) and of y is (2i): every batch row can be traced to its source row.</summary>
    private static (Tensor X, Tensor Y, int[] Keys) Rows(int n, int seed)
    {
        var r = new SeededRandom(seed);
        var keys = Enumerable.Range(0, n).Select(_ => 1 + r.NextInt(15)).ToArray();
        var x = Tensor.Zeros(n, 2);
        var y = Tensor.Zeros(n);
        for (int i = 0; i < n; i++) (x[i, 0], x[i, 1], y.Span[i]) = (i, keys[i], 2 * i);
        return (x, y, keys);
    }

    [Fact]
    public void An_epoch_holds_every_row_once_in_batches_of_similar_keys()
    {
        var (x, y, keys) = Rows(1000, 1);
        var source = new LengthBuckets(x, y, keys, batchSize: 16, seed: 3, poolBatches: 10);
        var batches = source.GetBatches(0).ToList();
        Assert.Equal(63, source.Count);
        Assert.Equal(63, batches.Count);
        var rows = batches.SelectMany(b => Enumerable.Range(0, b.Count).Select(i => (int)b.X[i, 0])).ToList();
        Assert.Equal(Enumerable.Range(0, 1000), rows.Order());
        foreach (var b in batches)
            for (int i = 0; i < b.Count; i++)
            {
                int row = (int)b.X[i, 0];
                Assert.Equal(keys[row], b.X[i, 1]);
                Assert.Equal(2 * row, b.Y.Span[i]);
            }
        // Sorted pools: a batch spans a small range of keys, where random batches of 16 span most of 1…15.
        double spread = batches.Average(b => Enumerable.Range(0, b.Count).Max(i => b.X[i, 1]) - Enumerable.Range(0, b.Count).Min(i => b.X[i, 1]));
        Assert.InRange(spread, 0, 2);
    }

    [Fact]
    public void The_same_epoch_gives_the_same_batches_another_epoch_a_new_mix_and_no_shuffle_sorts()
    {
        var (x, y, keys) = Rows(300, 2);
        var source = new LengthBuckets(x, y, keys, batchSize: 8, seed: 5);
        float[][] Firsts(int epoch) => source.GetBatches(epoch).Select(b => b.X.ToArray()).ToArray();
        Assert.Equal(Firsts(1), Firsts(1));
        Assert.NotEqual(Firsts(0), Firsts(1));
        var sorted = new LengthBuckets(x, y, keys, batchSize: 8, shuffle: false).GetBatches(0)
            .SelectMany(b => Enumerable.Range(0, b.Count).Select(i => (int)b.X[i, 1])).ToArray();
        Assert.Equal(keys.Order(), sorted);
    }

    [Fact]
    public void Bad_arguments_name_the_argument()
    {
        var (x, y, keys) = Rows(10, 3);
        Assert.Contains("expected 10 rows", Assert.Throws<ArgumentException>("targets", () => new LengthBuckets(x, Tensor.Zeros(9), keys, 4)).Message);
        Assert.Throws<ArgumentException>("inputs", () => new LengthBuckets(x, y, keys[..5], 4));
        Assert.Throws<ArgumentOutOfRangeException>("batchSize", () => new LengthBuckets(x, y, keys, 0));
        Assert.Throws<ArgumentOutOfRangeException>("poolBatches", () => new LengthBuckets(x, y, keys, 4, poolBatches: 0));
        Assert.Throws<ArgumentException>("keys", () => new LengthBuckets(Tensor.Zeros(0, 2), Tensor.Zeros(0), [], 4));
    }
}
