namespace Recur.Decoding;

/// <summary>Settings of <see cref="Sampler"/>.</summary>
public sealed record SamplingOptions
{
    /// <summary>
    /// Tokens are drawn from softmax(log p / temperature): below 1 safer and more repetitive,
    /// above 1 more surprising.
    /// </summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>When set, only the k most probable tokens can be drawn (ties at the k-th kept by lower id).</summary>
    public int? TopK { get; init; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!(Temperature > 0 && double.IsFinite(Temperature)))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "The temperature must be a finite value > 0.");
        if (TopK is { } k && k < 1)
            throw new ArgumentOutOfRangeException(nameof(TopK), k, "TopK must be at least 1 when set.");
    }
}
