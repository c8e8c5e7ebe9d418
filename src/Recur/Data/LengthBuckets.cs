using Recur.Models;

namespace Recur.Data;

/// <summary>
/// Rows of already padded tensors in batches of rows of similar length: for a model that cuts
/// each batch to its longest row (as <see cref="Models.Seq2Seq.EncoderDecoder"/> does), a batch of
/// short rows then runs for few steps instead of for the longest row of a random mix.
/// </summary>
/// <remarks>
/// <para>Shapes: every input and target is (N, …); a batch takes rows of each, (B, …), with no
/// mask (the model derives its own). <c>keys</c> orders the rows: a row's length, or a key that
/// sorts rows of similar cost together (e.g. source length · (Tt + 1) + target length).</para>
/// <para>Shuffle on: the grouping of <see cref="SequenceBatches"/> — rows shuffled, cut into pools
/// of <c>poolBatches</c> batches, each pool sorted by key and cut into batches, the batch order
/// shuffled — seeded by (seed, epoch) only. Shuffle off: batches of increasing key (evaluation).
/// Either way an epoch has ⌈N / batchSize⌉ batches (pools are whole batches).</para>
/// </remarks>
public sealed class LengthBuckets : IBatchSource
{
    private readonly Tensor[] _inputs, _targets;
    private readonly int[] _keys;
    private readonly int _batchSize, _poolBatches;
    private readonly bool _shuffle;
    private readonly ulong _seed;

    /// <summary>Creates the source over (N, …) inputs and targets.</summary>
    /// <param name="inputs">One (N, …) tensor per model input.</param>
    /// <param name="targets">One (N, …) tensor per model output.</param>
    /// <param name="keys">(N) the sort key of each row.</param>
    /// <param name="batchSize">Rows per batch (the last of a pool may have fewer).</param>
    /// <param name="shuffle">Bucket and shuffle each epoch (training); off: batches of increasing key.</param>
    /// <param name="seed">Seeds the shuffle of every epoch (with the epoch).</param>
    /// <param name="poolBatches">Batches per pool sorted by key when shuffling.</param>
    /// <exception cref="ArgumentException">Tensors without rows or of different row counts, or keys of another count; the message names the argument.</exception>
    public LengthBuckets(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> targets, IReadOnlyList<int> keys, int batchSize,
        bool shuffle = true, ulong seed = 0, int poolBatches = 50)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(keys);
        if (inputs.Count == 0) throw new ArgumentException("inputs is empty; expected one tensor per model input.", nameof(inputs));
        if (targets.Count == 0) throw new ArgumentException("targets is empty; expected one tensor per model output.", nameof(targets));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be at least 1.");
        if (poolBatches < 1) throw new ArgumentOutOfRangeException(nameof(poolBatches), poolBatches, "poolBatches must be at least 1.");
        int n = keys.Count;
        if (n == 0) throw new ArgumentException("keys is empty; expected one key per row.", nameof(keys));
        foreach (var (list, name) in new[] { (inputs, nameof(inputs)), (targets, nameof(targets)) })
            for (int i = 0; i < list.Count; i++)
            {
                var t = list[i] ?? throw new ArgumentException($"{name}[{i}] is null.", name);
                if (t.Rank < 1 || t.Size(0) != n)
                    throw new ArgumentException($"{name}[{i}] has shape {Tensor.ShapeString(t.Shape)}; expected {n} rows, one per key.", name);
            }
        _inputs = inputs.ToArray();
        _targets = targets.ToArray();
        _keys = keys.ToArray();
        _batchSize = batchSize;
        _shuffle = shuffle;
        _seed = seed;
        _poolBatches = poolBatches;
    }

    /// <summary>Creates the source over one input x (N, …) and one target y (N, …).</summary>
    public LengthBuckets(Tensor x, Tensor y, IReadOnlyList<int> keys, int batchSize, bool shuffle = true, ulong seed = 0, int poolBatches = 50)
        : this([x ?? throw new ArgumentNullException(nameof(x))], [y ?? throw new ArgumentNullException(nameof(y))], keys, batchSize, shuffle, seed, poolBatches)
    {
    }

    /// <inheritdoc/>
    public int? Count => (_keys.Length + _batchSize - 1) / _batchSize;

    /// <inheritdoc/>
    public IEnumerable<Batch> GetBatches(int epoch)
    {
        foreach (var rows in SequenceBatches.Groups(_keys, _batchSize, _poolBatches, _shuffle ? EpochRandom.For(_seed, epoch) : null))
            yield return new Batch(_inputs.Select(t => Batches.Take(t, rows)).ToArray(), _targets.Select(t => Batches.Take(t, rows)).ToArray());
    }
}
