namespace Recur;

/// <summary>
/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64). The same seed gives
/// the same sequence on every platform and .NET version, so weights and training runs repeat exactly.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private float? _spareNormal;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>Creates a generator from a signed seed (same as the unsigned one of equal bits).</summary>
    public SeededRandom(int seed) : this(unchecked((ulong)(long)seed)) { }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A float uniformly distributed in [0, 1), with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A double uniformly distributed in [0, 1), with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A float uniformly distributed in [low, high).</summary>
    public float Uniform(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>An integer uniformly distributed in [0, n), without modulo bias.</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Expected a positive bound.");
        ulong bound = (ulong)n;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            ulong hi = Math.BigMul(r, bound, out ulong lo);
            if (lo >= threshold) return (int)hi;
        }
    }

    /// <summary>A standard normal sample (Box–Muller, computed in double).</summary>
    public float Normal()
    {
        if (_spareNormal is float spare)
        {
            _spareNormal = null;
            return spare;
        }
        double u1;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareNormal = (float)(r * Math.Sin(2 * Math.PI * u2));
        return (float)(r * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>A normal sample with the given mean and standard deviation.</summary>
    public float Normal(float mean, float std) => mean + std * Normal();

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The generator's whole state as text (for backups): four words and the spare normal.</summary>
    internal string SaveState()
        => string.Join(',', _s0, _s1, _s2, _s3, _spareNormal is float f ? BitConverter.SingleToInt32Bits(f).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-");

    /// <summary>Sets the state written by <see cref="SaveState"/>.</summary>
    /// <exception cref="FormatException">The text is not such a state.</exception>
    internal void LoadState(string state)
    {
        var parts = state.Split(',');
        if (parts.Length != 5) throw new FormatException($"random state '{state}' has {parts.Length} fields; expected 5.");
        var ic = System.Globalization.CultureInfo.InvariantCulture;
        ulong[] s = parts[..4].Select(p => ulong.Parse(p, System.Globalization.NumberStyles.None, ic)).ToArray();
        if ((s[0] | s[1] | s[2] | s[3]) == 0) throw new FormatException("random state is all zeros; xoshiro256** needs a non-zero state.");
        float? spare = parts[4] == "-" ? null : BitConverter.Int32BitsToSingle(int.Parse(parts[4], System.Globalization.NumberStyles.AllowLeadingSign, ic));
        (_s0, _s1, _s2, _s3, _spareNormal) = (s[0], s[1], s[2], s[3], spare);
    }

    /// <summary>A derived, independent generator (for per-layer or per-worker streams).</summary>
    public SeededRandom Fork() => new(NextUInt64());
}
