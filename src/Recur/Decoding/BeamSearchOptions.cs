namespace Recur.Decoding;

/// <summary>Settings of <see cref="BeamSearch"/>.</summary>
public sealed record BeamSearchOptions
{
    /// <summary>Beams kept per input (k); 1 is greedy decoding.</summary>
    public int Width { get; init; } = 5;

    /// <summary>
    /// Length normalisation α: hypotheses are ranked by log p / n^α, n the number of tokens with
    /// the end token. 0 ranks by log p (favouring short outputs); 1 by the mean log p per token.
    /// </summary>
    public double LengthPenalty { get; init; } = 1.0;

    /// <summary>The most tokens an output has, the end token not counted.</summary>
    public int MaxLength { get; init; } = 100;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Width < 1) throw new ArgumentOutOfRangeException(nameof(Width), Width, "The beam width must be at least 1.");
        if (!(LengthPenalty >= 0 && double.IsFinite(LengthPenalty)))
            throw new ArgumentOutOfRangeException(nameof(LengthPenalty), LengthPenalty, "The length penalty must be a finite value ≥ 0.");
        if (MaxLength < 1) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "The maximum length must be at least 1.");
    }
}
