using Recur.Data;
using Recur.Losses;
using Recur.Models;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Data;

public class LazyBatchesTests
{
    private static Batch Collate(IReadOnlyList<(float[] X, float Y)> samples)
        => new(Tensor.FromArray(samples.SelectMany(s => s.X).ToArray(), samples.Count, samples[0].X.Length, 1),
               Tensor.FromArray(samples.Select(s => s.Y).ToArray(), samples.Count, 1));

    [Fact]
    public void Samples_are_read_only_as_batches_are_taken()
    {
        int read = 0;
        IEnumerable<(float[] X, float Y)> Read()
        {
            for (int i = 0; i < 1000; i++)
            {
                read++;
                yield return (new[] { i * 0.001f, 1f }, i % 2);
            }
        }
        var source = BatchSource.Lazy(Read, batchSize: 10, Collate);
        using var batches = source.GetBatches(0).GetEnumerator();
        Assert.True(batches.MoveNext());
        Assert.Equal(10, read);
        Assert.True(batches.MoveNext());
        Assert.Equal(20, read);
        Assert.Equal(100, source.GetBatches(1).Count());
    }

    [Fact]
    public void A_file_read_lazily_trains_like_the_same_rows_in_memory()
    {
        using var dir = new Serialization.TempDirectory();
        string path = Path.Combine(dir.Path, "rows.csv");
        var (x, y) = Models.ToyData.SignOfSum(30, 4, seed: 2);
        File.WriteAllLines(path, Enumerable.Range(0, 30).Select(i => string.Join(",", x.Span.Slice(i * 4, 4).ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "," + y.Span[i]));
        (float[] X, float Y) Parse(string line)
        {
            var v = line.Split(',').Select(s => float.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            return (v[..4], v[4]);
        }
        Sequential Model()
        {
            var m = new Sequential(5, new SimpleRnn(3), new Dense(1)) { Output = TextWriter.Null };
            m.Compile(new Sgd(0.1f), Loss.BinaryCrossEntropy(fromLogits: true));
            return m;
        }
        var lazy = Model();
        lazy.Fit(BatchSource.Lazy(() => File.ReadLines(path).Select(Parse), 8, Collate), epochs: 2, verbose: Verbosity.Silent);
        var memory = Model();
        memory.Fit(x, y, epochs: 2, batchSize: 8, shuffle: false, verbose: Verbosity.Silent);
        Assert.Equal(memory.Parameters.SelectMany(p => p.Value.ToArray()), lazy.Parameters.SelectMany(p => p.Value.ToArray()));
    }

    [Fact]
    public void The_shuffle_buffer_permutes_every_sample_the_same_way_for_the_same_epoch()
    {
        IEnumerable<(float[] X, float Y)> Read() => Enumerable.Range(0, 50).Select(i => (new[] { (float)i }, 0f));
        var source = BatchSource.Lazy(Read, 7, Collate, shuffleBuffer: 10, seed: 4);
        float[] Epoch(int e) => source.GetBatches(e).SelectMany(b => b.X.ToArray()).ToArray();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), Epoch(0).Order());
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (float)i), Epoch(0));
        Assert.Equal(Epoch(2), Epoch(2));
        Assert.NotEqual(Epoch(1), Epoch(2));
    }

    [Fact]
    public void A_generator_that_gives_no_batches_is_an_error_not_an_endless_loop()
    {
        var m = new Sequential(1, new Dense(1)) { Output = TextWriter.Null };
        m.Compile(new Sgd(0.1f), Loss.MeanSquaredError());
        m.Build(2);
        var e = Assert.Throws<InvalidOperationException>(() => m.Fit(BatchSource.FromGenerator(_ => []), epochs: 2, verbose: Verbosity.Silent));
        Assert.Contains("no batches", e.Message);
    }
}
