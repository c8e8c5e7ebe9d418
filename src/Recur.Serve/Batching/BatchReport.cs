namespace Recur.Serve.Batching;

/// <summary>One batch of a <see cref="MicroBatcher{TIn, TOut}"/>, once it has run: what the metrics record of it.</summary>
/// <param name="Size">Items in the batch.</param>
/// <param name="WaitSeconds">Each item's time from being queued to the start of its batch's run, in the batch's order.</param>
/// <param name="RunSeconds">The run of the batch (the batched forward pass and whatever the run function does around it).</param>
public sealed record BatchReport(int Size, IReadOnlyList<double> WaitSeconds, double RunSeconds);
