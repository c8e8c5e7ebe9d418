namespace Recur.Onnx.Tests;

/// <summary>Seeded inputs: dense sequences, right-padded sequences and right-padded ids.</summary>
internal static class TestData
{
    /// <summary>(B, T, F) normal values; steps at or past each row's length are zeros (Masking's padding).</summary>
    public static Tensor Sequences(int batch, int steps, int features, int[]? lengths, ulong seed)
    {
        var random = new SeededRandom(seed);
        var x = Tensor.Zeros(batch, steps, features);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < (lengths?[b] ?? steps); t++)
                for (int f = 0; f < features; f++) x.Span[(b * steps + t) * features + f] = random.Normal();
        return x;
    }

    /// <summary>(B, T) ids in [1, V) for the real steps, 0 after each row's length.</summary>
    public static Tensor Ids(int batch, int steps, int vocabulary, int[] lengths, ulong seed)
    {
        var random = new SeededRandom(seed);
        var x = Tensor.Zeros(batch, steps);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < lengths[b]; t++) x.Span[b * steps + t] = 1 + random.NextInt(vocabulary - 1);
        return x;
    }
}
