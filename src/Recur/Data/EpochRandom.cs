namespace Recur.Data;

/// <summary>The random stream of one epoch of a source: a function of the source's seed and the epoch only.</summary>
internal static class EpochRandom
{
    /// <summary>A generator for <paramref name="epoch"/>; the same (seed, epoch) always gives the same stream.</summary>
    public static SeededRandom For(ulong seed, int epoch)
        => new(seed ^ unchecked((ulong)(epoch + 1) * 0xD1B54A32D192ED03UL)); // SplitMix seeding decorrelates nearby values
}
