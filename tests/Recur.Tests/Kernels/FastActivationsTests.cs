using Recur.Kernels;

namespace Recur.Tests.Kernels;

/// <summary>
/// The vectorized σ and tanh against the scalar references (<see cref="Activations"/>, i.e.
/// MathF): ulp distance over a dense sweep of [−20, 20], over every binade of both signs, at
/// every span length 0–256, and at the special values.
/// </summary>
public class FastActivationsTests
{
    /// <summary>The accuracy the XML docs promise, in units in the last place of the reference.</summary>
    private const long MaxUlp = 2;

    private delegate void SpanFunction(ReadOnlySpan<float> x, Span<float> y);

    public static TheoryData<string> Functions() => new() { "sigmoid", "tanh" };

    private static SpanFunction Fast(string name) => name == "sigmoid"
        ? (x, y) => FastActivations.Sigmoid(x, y)
        : (x, y) => FastActivations.Tanh(x, y);

    private static Func<float, float> Reference(string name) => name == "sigmoid" ? Activations.Sigmoid : Activations.Tanh;

    [Theory]
    [MemberData(nameof(Functions))]
    public void Within_2_ulp_of_the_reference_on_a_dense_sweep_of_minus_20_to_20(string name)
    {
        const int Count = 400_001; // step 1e-4
        var x = new float[Count];
        for (int i = 0; i < Count; i++) x[i] = -20f + i * 1e-4f;
        AssertWithinUlp(name, x, MaxUlp);
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Within_2_ulp_of_the_reference_across_every_binade(string name)
    {
        // 2^e · (1 + j/64) for every exponent from the least denormal to the largest float.
        var x = new List<float>();
        for (int e = -149; e <= 127; e++)
            for (int j = 0; j < 64; j++)
            {
                float v = MathF.ScaleB(1f + j / 64f, e);
                if (float.IsFinite(v)) { x.Add(v); x.Add(-v); }
            }
        AssertWithinUlp(name, x.ToArray(), MaxUlp);
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Every_length_from_0_to_256_matches_the_reference_and_writes_nothing_past_the_end(string name)
    {
        var rng = new SeededRandom(11);
        var all = new float[256];
        for (int i = 0; i < all.Length; i++) all[i] = rng.Uniform(-12f, 12f);
        var full = new float[256];
        Fast(name)(all, full);
        var reference = Reference(name);
        for (int n = 0; n <= 256; n++)
        {
            var y = new float[n + 17];
            Array.Fill(y, -7f);
            Fast(name)(all.AsSpan(0, n), y);
            for (int i = 0; i < n; i++)
            {
                Assert.True(Ulps(y[i], reference(all[i])) <= MaxUlp, $"{name} length {n}, x[{i}] = {all[i]:R}: {y[i]:R} vs {reference(all[i]):R}");
                // An element's result does not depend on the length (tail or not).
                Assert.Equal(BitConverter.SingleToInt32Bits(full[i]), BitConverter.SingleToInt32Bits(y[i]));
            }
            for (int i = n; i < y.Length; i++) Assert.Equal(-7f, y[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void In_place_equals_out_of_place(string name)
    {
        var rng = new SeededRandom(5);
        var x = new float[1000];
        for (int i = 0; i < x.Length; i++) x[i] = rng.Uniform(-30f, 30f);
        var y = new float[x.Length];
        Fast(name)(x, y);
        var inPlace = (float[])x.Clone();
        if (name == "sigmoid") FastActivations.Sigmoid(inPlace); else FastActivations.Tanh(inPlace);
        Assert.Equal(y, inPlace);
    }

    [Fact]
    public void Special_values_saturate_or_propagate()
    {
        float[] x = [float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, -0f, float.MaxValue, float.MinValue, 1e30f, -1e30f, 100f, -110f, 200f, -200f, float.Epsilon, -float.Epsilon];
        var s = new float[x.Length];
        var t = new float[x.Length];
        FastActivations.Sigmoid(x, s);
        FastActivations.Tanh(x, t);

        Assert.Equal([1f, 0f], s[..2]);
        Assert.True(float.IsNaN(s[2]));
        Assert.Equal([0.5f, 0.5f, 1f, 0f, 1f, 0f, 1f, 0f, 1f, 0f, 0.5f, 0.5f], s[3..]);

        Assert.Equal([1f, -1f], t[..2]);
        Assert.True(float.IsNaN(t[2]));
        Assert.Equal([1f, -1f, 1f, -1f, 1f, -1f, 1f, -1f], t[5..13]);
        // Odd function: signed zeros and denormals pass through.
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(t[3]));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(t[4]));
        Assert.Equal([float.Epsilon, -float.Epsilon], t[13..]);
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Vector256_and_Vector512_give_the_same_bits(string name)
    {
        var rng = new SeededRandom(8);
        var x = new float[4099];
        for (int i = 0; i < x.Length; i++) x[i] = rng.Uniform(-40f, 40f);
        float[] y256 = new float[x.Length], y512 = new float[x.Length];
        if (name == "sigmoid")
        {
            FastActivations.Apply<FastActivations.SigmoidOperator, SimdFloat256>(x, y256);
            FastActivations.Apply<FastActivations.SigmoidOperator, SimdFloat512>(x, y512);
        }
        else
        {
            FastActivations.Apply<FastActivations.TanhOperator, SimdFloat256>(x, y256);
            FastActivations.Apply<FastActivations.TanhOperator, SimdFloat512>(x, y512);
        }
        Assert.Equal(y512, y256);
    }

    [Fact]
    public void Partly_overlapping_or_short_outputs_are_rejected()
    {
        var buffer = new float[10];
        var overlap = Assert.Throws<ArgumentException>(() => FastActivations.Tanh(buffer.AsSpan(0, 8), buffer.AsSpan(1, 8)));
        Assert.Contains("offset of 1", overlap.Message);
        var shortOut = Assert.Throws<ArgumentException>(() => FastActivations.Sigmoid(new float[5], new float[4]));
        Assert.Contains("holds 4 elements; the input has 5", shortOut.Message);
    }

    private static void AssertWithinUlp(string name, float[] x, long maxUlp)
    {
        var y = new float[x.Length];
        Fast(name)(x, y);
        var reference = Reference(name);
        long worst = -1;
        int worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            long u = Ulps(y[i], reference(x[i]));
            if (u > worst) (worst, worstAt) = (u, i);
        }
        Assert.True(worst <= maxUlp,
            $"{name}: {worst} ulp at x = {x[worstAt]:R}: fast {y[worstAt]:R}, reference {reference(x[worstAt]):R}");
    }

    /// <summary>Distance in representable floats (±0 coincide; NaN only matches NaN).</summary>
    internal static long Ulps(float a, float b)
    {
        if (float.IsNaN(a) || float.IsNaN(b)) return float.IsNaN(a) && float.IsNaN(b) ? 0 : long.MaxValue;
        return Math.Abs(Ordered(a) - Ordered(b));
    }

    private static long Ordered(float v)
    {
        int bits = BitConverter.SingleToInt32Bits(v);
        return bits >= 0 ? bits : (long)int.MinValue - bits;
    }
}
