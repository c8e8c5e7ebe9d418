namespace Recur.Models;

/// <summary>One batch as the training loop consumes it: validated data and whether a stream starts with it.</summary>
internal readonly record struct LoopBatch(TrainingData Data, bool ResetStates);

/// <summary>
/// The batches of each epoch of a <c>Fit</c>. Without steps per epoch, epoch e is the source's
/// epoch e. With them, the source's epochs are read one after another and each training epoch
/// takes the next <c>stepsPerEpoch</c> batches; where the reading stands (source epoch, batches
/// taken from it) is kept in the <see cref="TrainingRun"/>, so a resumed run continues at the
/// same batch (the source's epoch is produced again and the batches already used are skipped).
/// </summary>
internal sealed class EpochFeed(Func<int, IEnumerable<LoopBatch>> sourceEpoch, int? count, int? stepsPerEpoch)
{
    private IEnumerator<LoopBatch>? _open;

    /// <summary>Batches per training epoch, when known.</summary>
    public int? Steps => stepsPerEpoch ?? count;

    /// <summary>True when training epochs are rounds of a continuous reading of the source.</summary>
    public bool Continuing => stepsPerEpoch is not null;

    public IEnumerable<LoopBatch> Epoch(int epoch, TrainingRun run)
    {
        if (stepsPerEpoch is not { } perEpoch)
        {
            foreach (var b in sourceEpoch(epoch)) yield return b;
            yield break;
        }
        for (int taken = 0; taken < perEpoch;)
        {
            if (_open is null)
            {
                _open = sourceEpoch(run.SourceEpoch).GetEnumerator();
                for (int skip = 0; skip < run.SourceOffset; skip++)
                    if (!_open.MoveNext())
                        throw new InvalidOperationException($"The training source's epoch {run.SourceEpoch} has fewer than the {run.SourceOffset} batches already used; a source must give the same batches for the same epoch.");
            }
            if (!_open.MoveNext())
            {
                _open.Dispose();
                _open = null;
                if (run.SourceOffset == 0) throw new InvalidOperationException($"The training source gives no batches for epoch {run.SourceEpoch}.");
                run.SourceEpoch++;
                run.SourceOffset = 0;
                continue;
            }
            run.SourceOffset++;
            taken++;
            yield return _open.Current;
        }
    }
}
