namespace Recur.Tests.Models;

/// <summary>Small seeded sequence tasks for model-level tests.</summary>
internal static class ToyData
{
    /// <summary>x (N, T, 1) ~ U(−1, 1); y (N, 1) = 1 when the sequence sums to more than 0.</summary>
    public static (Tensor X, Tensor Y) SignOfSum(int n, int steps, int seed)
    {
        var r = new SeededRandom(seed);
        var x = Tensor.Zeros(n, steps, 1);
        var y = Tensor.Zeros(n, 1);
        for (int i = 0; i < n; i++)
        {
            float sum = 0;
            for (int t = 0; t < steps; t++) sum += x.Span[i * steps + t] = r.Uniform(-1f, 1f);
            y.Span[i] = sum > 0 ? 1f : 0f;
        }
        return (x, y);
    }

    /// <summary>Token ids (N, T) in [1, vocab), right-padded with 0 to random lengths in [2, T]; y (N) = 1 when token 1 occurs.</summary>
    public static (Tensor X, Tensor Y, int[] Lengths) PaddedTokens(int n, int steps, int vocab, int seed)
    {
        var r = new SeededRandom(seed);
        var x = Tensor.Zeros(n, steps);
        var y = Tensor.Zeros(n);
        var lengths = new int[n];
        for (int i = 0; i < n; i++)
        {
            lengths[i] = 2 + r.NextInt(steps - 1);
            for (int t = 0; t < lengths[i]; t++)
            {
                int id = 1 + r.NextInt(vocab - 1);
                x.Span[i * steps + t] = id;
                if (id == 1) y.Span[i] = 1;
            }
        }
        return (x, y, lengths);
    }
}
