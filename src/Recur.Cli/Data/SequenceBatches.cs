using Recur.Cli.Training;

namespace Recur.Cli.Data;

/// <summary>
/// Batches of variable-length id sequences, padded with 0 at the end to the longest in the
/// batch. Batches group sequences of similar length (pooled bucketing: shuffle, sort pools of
/// 50 batches by length, cut, shuffle the batch order), so little time goes into padding.
/// </summary>
internal static class SequenceBatches
{
    /// <summary>Row groups of at most <paramref name="batch"/>; shuffled and pooled when <paramref name="random"/> is given, else sorted by length.</summary>
    public static List<int[]> Groups(IReadOnlyList<int> lengths, int batch, SeededRandom? random)
    {
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        var groups = new List<int[]>();
        if (random is null)
        {
            Array.Sort(order, (a, b) => lengths[a] != lengths[b] ? lengths[a].CompareTo(lengths[b]) : a.CompareTo(b));
            for (int i = 0; i < order.Length; i += batch) groups.Add(order[i..Math.Min(order.Length, i + batch)]);
            return groups;
        }
        random.Shuffle(order.AsSpan());
        int pool = batch * 50;
        for (int p = 0; p < order.Length; p += pool)
        {
            var chunk = order[p..Math.Min(order.Length, p + pool)];
            Array.Sort(chunk, (a, b) => lengths[a].CompareTo(lengths[b]));
            for (int i = 0; i < chunk.Length; i += batch) groups.Add(chunk[i..Math.Min(chunk.Length, i + batch)]);
        }
        var shuffled = groups.ToArray();
        random.Shuffle(shuffled.AsSpan());
        return shuffled.ToList();
    }

    /// <summary>(B, T) ids of the given rows, T the longest row, padded with 0.</summary>
    public static Tensor Ids(IReadOnlyList<int[]> sequences, int[] rows)
    {
        int T = Math.Max(1, rows.Max(r => sequences[r].Length));
        var x = Tensor.Zeros(rows.Length, T);
        var span = x.Span;
        for (int i = 0; i < rows.Length; i++)
        {
            var s = sequences[rows[i]];
            for (int t = 0; t < s.Length; t++) span[i * T + t] = s[t];
        }
        return x;
    }

    /// <summary>(B) class ids of the given rows.</summary>
    public static Tensor Labels(IReadOnlyList<int> labels, int[] rows)
        => Tensor.FromArray(rows.Select(r => (float)labels[r]).ToArray(), rows.Length);

    /// <summary>Batches of (ids, one label per sequence).</summary>
    public static IEnumerable<Batch> Classification(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels, IEnumerable<int[]> groups)
        => groups.Select(rows => new Batch(Ids(sequences, rows), Labels(labels, rows)));

    /// <summary>Batches of (ids, one label per step), labels padded like the ids (the mask hides them).</summary>
    public static IEnumerable<Batch> Tagging(IReadOnlyList<int[]> sequences, IReadOnlyList<int[]> tags, IEnumerable<int[]> groups)
        => groups.Select(rows => new Batch(Ids(sequences, rows), Ids(tags, rows)));
}
