namespace Recur.Optimizers;

/// <summary>
/// A snapshot of an optimizer's state relative to an ordered parameter list, for saving and
/// resuming training exactly (see <see cref="Optimizer.ExportState"/>).
/// </summary>
/// <remarks>
/// <para>Tensors are named <c>"{index}.{buffer}"</c> with PyTorch's buffer names
/// (<c>exp_avg</c>, <c>exp_avg_sq</c>, <c>momentum_buffer</c>, <c>square_avg</c>, <c>grad_avg</c>,
/// <c>sum</c>), where index is the parameter's position in the list; each has that parameter's shape.
/// Scalars: <c>"iterations"</c>, <c>"learning_rate"</c> and <c>"{index}.step"</c> (updates applied to
/// that parameter). A parameter that has not been stepped yet has no entries.</para>
/// </remarks>
public sealed class OptimizerState
{
    /// <summary>Creates a snapshot (the tensors are not copied).</summary>
    public OptimizerState(string optimizer, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyList<KeyValuePair<string, double>> scalars)
    {
        ArgumentException.ThrowIfNullOrEmpty(optimizer);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(scalars);
        Optimizer = optimizer;
        Tensors = tensors;
        Scalars = scalars;
    }

    /// <summary>The <see cref="Recur.Optimizers.Optimizer.Name"/> of the optimizer that wrote it.</summary>
    public string Optimizer { get; }

    /// <summary>Named state buffers, ordered by parameter index then buffer.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Tensors { get; }

    /// <summary>Named scalars: iterations, learning rate, per-parameter step counts.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Scalars { get; }
}
