namespace Recur.Cli.Data;

/// <summary>
/// The adding problem (Hochreiter &amp; Schmidhuber 1997): a sequence of T steps with two channels,
/// a value U(0, 1) and a marker that is 1 at exactly two steps — one in each half — and 0
/// elsewhere; the target is the sum of the two marked values. Only two steps matter and they are
/// up to T apart, so a network must carry information (and gradient) across the whole sequence.
/// Always predicting 1 (the mean target) scores MSE = Var(U₁ + U₂) = 2/12 ≈ 0.1667.
/// </summary>
internal static class AddingProblem
{
    /// <summary>(N, T, 2) inputs and (N, 1) targets, seeded.</summary>
    public static (Tensor X, Tensor Y) Generate(int count, int length, SeededRandom random)
    {
        var x = Tensor.Zeros(count, length, 2);
        var y = Tensor.Zeros(count, 1);
        var xs = x.Span;
        int half = length / 2;
        for (int n = 0; n < count; n++)
        {
            int offset = n * length * 2;
            for (int t = 0; t < length; t++) xs[offset + 2 * t] = random.NextFloat();
            int first = random.NextInt(half), second = half + random.NextInt(length - half);
            xs[offset + 2 * first + 1] = 1f;
            xs[offset + 2 * second + 1] = 1f;
            y.Span[n] = xs[offset + 2 * first] + xs[offset + 2 * second];
        }
        return (x, y);
    }

    /// <summary>MSE of always predicting 1 on <paramref name="y"/>.</summary>
    public static double BaselineMse(Tensor y)
    {
        double sum = 0;
        foreach (float v in y.Span) sum += (v - 1.0) * (v - 1.0);
        return sum / y.Length;
    }
}
