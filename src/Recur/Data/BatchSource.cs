namespace Recur.Data;

/// <summary>Ready-made batch sources over generators and lazily read data.</summary>
public static class BatchSource
{
    /// <summary>
    /// A source whose epoch <c>e</c> is <paramref name="epochBatches"/>(e). The delegate must give the
    /// same batches for the same epoch (see <see cref="IBatchSource"/>).
    /// </summary>
    /// <param name="epochBatches">The batches of an epoch, produced lazily.</param>
    /// <param name="count">Batches per epoch, when known (for progress and <c>stepsPerEpoch</c>).</param>
    public static IBatchSource FromGenerator(Func<int, IEnumerable<Batch>> epochBatches, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(epochBatches);
        if (count is < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1 (or null when unknown).");
        return new GeneratorSource(epochBatches, count);
    }

    /// <summary>
    /// Batches of <paramref name="batchSize"/> samples read lazily each epoch from
    /// <paramref name="read"/> (e.g. <c>() =&gt; File.ReadLines(path).Select(Parse)</c>) and joined by
    /// <paramref name="collate"/>; only one batch (plus the shuffle buffer) is in memory at a time.
    /// The last batch of an epoch may be smaller.
    /// </summary>
    /// <param name="read">Opens the sample stream anew for each epoch.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="collate">Joins the samples of a batch (in order) into one <see cref="Batch"/>.</param>
    /// <param name="shuffleBuffer">0: file order. Otherwise samples go through a buffer of this size and
    /// leave it in a random order (as tf.data's <c>shuffle</c>): a local shuffle, seeded by
    /// <paramref name="seed"/> and the epoch.</param>
    /// <param name="seed">Seed of the shuffle buffer.</param>
    /// <param name="count">Batches per epoch, when known.</param>
    public static IBatchSource Lazy<T>(Func<IEnumerable<T>> read, int batchSize, Func<IReadOnlyList<T>, Batch> collate,
        int shuffleBuffer = 0, ulong seed = 0, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(collate);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        if (shuffleBuffer < 0) throw new ArgumentOutOfRangeException(nameof(shuffleBuffer), shuffleBuffer, "shuffleBuffer must be ≥ 0.");
        if (count is < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be at least 1 (or null when unknown).");
        return new GeneratorSource(epoch => LazyBatches(read, batchSize, collate, shuffleBuffer, seed, epoch), count);
    }

    private static IEnumerable<Batch> LazyBatches<T>(Func<IEnumerable<T>> read, int batchSize, Func<IReadOnlyList<T>, Batch> collate,
        int shuffleBuffer, ulong seed, int epoch)
    {
        var pending = new List<T>(batchSize);
        foreach (var sample in Shuffled(read(), shuffleBuffer, seed, epoch))
        {
            pending.Add(sample);
            if (pending.Count < batchSize) continue;
            yield return collate(pending) ?? throw new InvalidOperationException("collate returned null; expected a batch.");
            pending = new List<T>(batchSize);
        }
        if (pending.Count > 0) yield return collate(pending) ?? throw new InvalidOperationException("collate returned null; expected a batch.");
    }

    /// <summary>The samples in stream order, or through a seeded shuffle buffer of <paramref name="size"/>.</summary>
    private static IEnumerable<T> Shuffled<T>(IEnumerable<T> samples, int size, ulong seed, int epoch)
    {
        if (size == 0)
        {
            foreach (var s in samples) yield return s;
            yield break;
        }
        var random = EpochRandom.For(seed, epoch);
        var buffer = new List<T>(size);
        foreach (var s in samples)
        {
            if (buffer.Count < size)
            {
                buffer.Add(s);
                continue;
            }
            // Emit a random buffered sample and keep the new one in its place.
            int i = random.NextInt(size);
            yield return buffer[i];
            buffer[i] = s;
        }
        while (buffer.Count > 0)
        {
            int i = random.NextInt(buffer.Count);
            yield return buffer[i];
            buffer[i] = buffer[^1];
            buffer.RemoveAt(buffer.Count - 1);
        }
    }

    private sealed class GeneratorSource(Func<int, IEnumerable<Batch>> epochBatches, int? count) : IBatchSource
    {
        public int? Count => count;

        public IEnumerable<Batch> GetBatches(int epoch)
            => epochBatches(epoch) ?? throw new InvalidOperationException($"The batch generator returned null for epoch {epoch}; expected a sequence of batches.");
    }
}
