namespace Recur.Data;

/// <summary>
/// Training or evaluation data as a sequence of batches per epoch, for
/// <c>Model.Fit(IBatchSource, …)</c> and <c>Model.Evaluate(IBatchSource)</c>: ragged sequences
/// bucketed by length (<see cref="SequenceBatches"/>), truncated-BPTT streams
/// (<see cref="TokenStream"/>), or data read lazily from a file or a generator
/// (<see cref="BatchSource.Lazy{T}"/>, <see cref="BatchSource.FromGenerator"/>).
/// </summary>
/// <remarks>
/// <para>Contract: <see cref="GetBatches"/> gives the same batches whenever it is called with the
/// same epoch (randomness seeded by the source's seed and the epoch, not by earlier calls). A run
/// resumed from a backup (<c>BackupAndRestore</c>) therefore sees exactly the data an
/// uninterrupted run would have seen.</para>
/// <para>Batches are produced while they are enumerated: a source need not hold its data in memory.</para>
/// </remarks>
public interface IBatchSource
{
    /// <summary>Batches per epoch, or null when not known before reading them.</summary>
    int? Count { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (0-based), in training order.</summary>
    IEnumerable<Batch> GetBatches(int epoch);
}
