using Recur.Layers;

namespace Recur.Data;

/// <summary>
/// Ragged sequences in batches of similar length: each batch is padded (at the end, with
/// <c>padValue</c>) to its longest sequence and carries the mask of real steps.
/// </summary>
/// <remarks>
/// <para>Shapes: sequence i is (Tᵢ, …) — (Tᵢ) token ids or (Tᵢ, F) features; a batch is
/// x (B, T, …) with T = max Tᵢ of the batch, mask (B, T). Targets are one per sequence (same shape
/// for all, stacked to (B, …)) or, with <c>perStepTargets</c>, one per step ((Tᵢ, …), padded with
/// 0 to (B, T, …); padded steps are masked out of the loss).</para>
/// <para>Bucketing (shuffle on): the sequences are shuffled, cut into pools of <c>poolBatches</c>
/// batches, each pool sorted by length and cut into batches, and the batch order shuffled — little
/// padding, yet a different mix every epoch. The shuffle of epoch e is seeded by (seed, e) only.
/// Shuffle off: batches of increasing length (for evaluation).</para>
/// <para>With <c>maxBatchSteps</c>, a batch holds fewer than <c>batchSize</c> sequences when
/// rows × padded length would pass it (a sequence longer than the budget is a batch of its own):
/// one long sequence then cannot make every row of its batch as long, and the memory of a training
/// step (its activations are (B, T, …)) is bounded by the budget instead of by the longest sequence.</para>
/// </remarks>
public sealed class SequenceBatches : IBatchSource
{
    private readonly IReadOnlyList<Tensor> _sequences, _targets;
    private readonly int[] _lengths;
    private readonly int _batchSize, _poolBatches;
    private readonly int? _maxBatchSteps, _count;
    private readonly bool _shuffle, _perStep, _mask;
    private readonly ulong _seed;
    private readonly float _padValue;

    /// <summary>Creates the source; every sequence and target is checked here.</summary>
    /// <param name="sequences">Sequence i of shape (Tᵢ, …).</param>
    /// <param name="targets">One target per sequence: (…), or (Tᵢ, …) with <paramref name="perStepTargets"/>.</param>
    /// <param name="batchSize">The most sequences in a batch.</param>
    /// <param name="shuffle">Bucket and shuffle each epoch (training); off: batches of increasing length.</param>
    /// <param name="seed">Seeds the shuffle of every epoch (with the epoch).</param>
    /// <param name="perStepTargets">Targets are per step and padded like the inputs.</param>
    /// <param name="poolBatches">Batches per pool sorted by length when shuffling.</param>
    /// <param name="padValue">The value of the padded steps of the inputs.</param>
    /// <param name="mask">Give each batch the mask of its real steps.</param>
    /// <param name="maxBatchSteps">The most padded steps (rows × longest length) in a batch, or null
    /// for <paramref name="batchSize"/> rows whatever their length.</param>
    /// <exception cref="ArgumentException">Counts, shapes or sizes that do not fit; the message names the sequence.</exception>
    public SequenceBatches(IReadOnlyList<Tensor> sequences, IReadOnlyList<Tensor> targets, int batchSize,
        bool shuffle = true, ulong seed = 0, bool perStepTargets = false, int poolBatches = 50, float padValue = 0f, bool mask = true,
        int? maxBatchSteps = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(targets);
        if (sequences.Count == 0) throw new ArgumentException("sequences is empty; expected at least one sequence.", nameof(sequences));
        if (targets.Count != sequences.Count)
            throw new ArgumentException($"targets has {targets.Count} entries but sequences has {sequences.Count}.", nameof(targets));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        if (poolBatches < 1) throw new ArgumentOutOfRangeException(nameof(poolBatches), poolBatches, "poolBatches must be at least 1.");
        if (maxBatchSteps is < 1) throw new ArgumentOutOfRangeException(nameof(maxBatchSteps), maxBatchSteps, "maxBatchSteps must be at least 1 (or null for no bound).");
        Check(sequences, nameof(sequences), null, 1);
        Check(targets, nameof(targets), perStepTargets ? sequences : null, perStepTargets ? 1 : 0);
        _sequences = sequences;
        _targets = targets;
        _lengths = sequences.Select(s => s.Size(0)).ToArray();
        _batchSize = batchSize;
        _shuffle = shuffle;
        _seed = seed;
        _perStep = perStepTargets;
        _poolBatches = poolBatches;
        _padValue = padValue;
        _mask = mask;
        _maxBatchSteps = maxBatchSteps;
        // Without a budget that can bind, every epoch has the same number of batches; with one, an
        // epoch's count depends on how its shuffle mixes long and short sequences.
        bool bounded = maxBatchSteps is { } budget && (long)Math.Min(batchSize, _lengths.Length) * Math.Max(1, _lengths.Max()) > budget;
        _count = !bounded ? (_lengths.Length + batchSize - 1) / batchSize
            : !shuffle ? Groups(_lengths, batchSize, poolBatches, null, maxBatchSteps).Count
            : null;
    }

    /// <inheritdoc/>
    /// <remarks>Null when shuffled batches are bounded by <c>maxBatchSteps</c> and some would be cut by it.</remarks>
    public int? Count => _count;

    /// <inheritdoc/>
    public IEnumerable<Batch> GetBatches(int epoch)
    {
        foreach (var rows in Groups(_lengths, _batchSize, _poolBatches, _shuffle ? EpochRandom.For(_seed, epoch) : null, _maxBatchSteps))
            yield return Collate(rows);
    }

    /// <summary>
    /// Row groups of at most <paramref name="batch"/> (and of at most <paramref name="maxSteps"/>
    /// padded steps unless one row alone is longer): pooled and shuffled with <paramref name="random"/>,
    /// else sorted by length (ties by index).
    /// </summary>
    internal static List<int[]> Groups(IReadOnlyList<int> lengths, int batch, int poolBatches, SeededRandom? random, int? maxSteps = null)
    {
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        var groups = new List<int[]>();
        if (random is null)
        {
            Array.Sort(order, (a, b) => lengths[a] != lengths[b] ? lengths[a].CompareTo(lengths[b]) : a.CompareTo(b));
            Cut(order, lengths, batch, maxSteps, groups);
            return groups;
        }
        random.Shuffle(order.AsSpan());
        int pool = batch * poolBatches;
        for (int p = 0; p < order.Length; p += pool)
        {
            var chunk = order[p..Math.Min(order.Length, p + pool)];
            Array.Sort(chunk, (a, b) => lengths[a] != lengths[b] ? lengths[a].CompareTo(lengths[b]) : a.CompareTo(b));
            Cut(chunk, lengths, batch, maxSteps, groups);
        }
        var shuffled = groups.ToArray();
        random.Shuffle(shuffled.AsSpan());
        return shuffled.ToList();
    }

    /// <summary>
    /// Cuts rows sorted by increasing length into groups of at most <paramref name="batch"/>, and
    /// fewer when the padded size (rows × the group's last, longest length) would pass
    /// <paramref name="maxSteps"/>.
    /// </summary>
    private static void Cut(int[] sorted, IReadOnlyList<int> lengths, int batch, int? maxSteps, List<int[]> groups)
    {
        long budget = maxSteps ?? long.MaxValue;
        int start = 0;
        for (int i = 0; i < sorted.Length; i++)
        {
            long padded = (long)(i - start + 1) * Math.Max(1, lengths[sorted[i]]);
            if (i > start && (i - start == batch || padded > budget))
            {
                groups.Add(sorted[start..i]);
                start = i;
            }
        }
        if (start < sorted.Length) groups.Add(sorted[start..]);
    }

    /// <summary>x (B, T, …) padded, y (B, …) or (B, T, …) padded with 0, mask (B, T) from the lengths.</summary>
    private Batch Collate(int[] rows)
    {
        int T = Math.Max(1, rows.Max(r => _lengths[r]));
        var x = Pad(_sequences, rows, T, _padValue);
        var y = _perStep ? Pad(_targets, rows, T, 0f) : Stack(_targets, rows);
        var lengths = rows.Select(r => _lengths[r]).ToArray();
        return new Batch(x, y, _mask ? SequenceMask.FromLengths(lengths, T) : null);
    }

    /// <summary>Rows of (Tᵢ, …) tensors padded at the end to (B, T, …).</summary>
    private static Tensor Pad(IReadOnlyList<Tensor> items, int[] rows, int T, float value)
    {
        var first = items[rows[0]];
        int width = ProductOfTail(first); // values per step
        var shape = new int[first.Rank + 1];
        shape[0] = rows.Length;
        shape[1] = T;
        for (int d = 1; d < first.Rank; d++) shape[d + 1] = first.Size(d);
        var result = value == 0f ? Tensor.Zeros(shape) : Tensor.Full(value, shape);
        var span = result.Span;
        for (int i = 0; i < rows.Length; i++)
            items[rows[i]].Span.CopyTo(span.Slice(i * T * width));
        return result;
    }

    /// <summary>Rows of equal-shape tensors (…) stacked to (B, …).</summary>
    private static Tensor Stack(IReadOnlyList<Tensor> items, int[] rows)
    {
        var first = items[rows[0]];
        var shape = new int[first.Rank + 1];
        shape[0] = rows.Length;
        for (int d = 0; d < first.Rank; d++) shape[d + 1] = first.Size(d);
        var result = Tensor.Zeros(shape);
        int width = first.Length;
        for (int i = 0; i < rows.Length; i++) items[rows[i]].Span.CopyTo(result.Span.Slice(i * width, width));
        return result;
    }

    private static int ProductOfTail(Tensor t)
    {
        int p = 1;
        for (int d = 1; d < t.Rank; d++) p *= t.Size(d);
        return p;
    }

    /// <summary>
    /// Checks that every item has the same shape after its first <paramref name="timeAxes"/> axes and,
    /// with <paramref name="alignedWith"/>, the same length as the sequence it belongs to.
    /// </summary>
    private static void Check(IReadOnlyList<Tensor> items, string name, IReadOnlyList<Tensor>? alignedWith, int timeAxes)
    {
        int[]? tail = null;
        for (int i = 0; i < items.Count; i++)
        {
            var t = items[i] ?? throw new ArgumentException($"{name}[{i}] is null.", name);
            if (t.Rank < timeAxes)
                throw new ArgumentException($"{name}[{i}] has shape {Tensor.ShapeString(t.Shape)}; expected (steps, …).", name);
            var own = t.ShapeArray[timeAxes..];
            tail ??= own;
            if (!own.AsSpan().SequenceEqual(tail))
                throw new ArgumentException($"{name}[{i}] has shape {Tensor.ShapeString(t.Shape)}; {name}[0] has {Tensor.ShapeString(items[0].Shape)} (only the length may differ).", name);
            if (alignedWith is not null && t.Size(0) != alignedWith[i].Size(0))
                throw new ArgumentException($"{name}[{i}] has {t.Size(0)} steps but sequence {i} has {alignedWith[i].Size(0)}; per-step targets need one per step.", name);
            t.ThrowIfNonFinite($"{name}[{i}]");
        }
    }
}
