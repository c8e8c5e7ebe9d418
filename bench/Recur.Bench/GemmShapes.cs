namespace Recur.Bench;

/// <summary>
/// One GEMM case: C (M, N) = op(A) (M, K) · op(B) (K, N). <see cref="Packed"/> multiplies by a
/// B packed once beforehand, as a recurrent layer does with W_hh at every time step.
/// </summary>
public sealed record GemmShape(string Name, int M, int N, int K, bool TransA = false, bool TransB = false, bool Packed = false)
{
    public double Flops => 2.0 * M * N * K;

    public override string ToString() => Name;

    /// <summary>
    /// Square sizes, then the shapes of an LSTM (B batch, T time, I input, H hidden, 4H gates).
    /// Names stay within 20 characters so that BenchmarkDotNet prints them whole; "/p" marks a
    /// prepacked B.
    /// </summary>
    public static readonly GemmShape[] All =
    [
        new("sq512", 512, 512, 512),
        new("sq1024", 1024, 1024, 1024),
        new("sq2048", 2048, 2048, 2048),
        // Input projection of all steps at once: x (T·B = 32·50, I = 512) · W_ihᵀ → (T·B, 4H = 2048).
        new("xWihT 1600x2048x512", 1600, 2048, 512, TransB: true),
        // Input projection, T·B = 6400 rows, I = 128, 4H = 1024, W stored (I, 4H).
        new("xW 6400x1024x128", 6400, 1024, 128),
        // The recurrent product of one step, h (B, H = 256) · W_hhᵀ → (B, 4H), W_hh stored (4H, H):
        // packing W_hh per call, then prepacked (once per optimizer step) at B = 64, 8, 1.
        new("hWhhT 64x1024x256", 64, 1024, 256, TransB: true),
        new("hWhhT/p 64x1024x256", 64, 1024, 256, TransB: true, Packed: true),
        new("hWhhT/p 8x1024x256", 8, 1024, 256, TransB: true, Packed: true),
        new("hWhhT/p 1x1024x256", 1, 1024, 256, TransB: true, Packed: true),
        // Weight gradient dW_hh = dGatesᵀ (4H, T·B) · h (T·B, H), summed over T·B = 3200 rows.
        new("dGT.h 1024x256x3200", 1024, 256, 3200, TransA: true),
    ];

    /// <summary>
    /// The shapes whose name contains one of <paramref name="filters"/> (all when none), plus
    /// any filter written as a shape: <c>MxNxK</c>, optionally <c>:NT</c> (trans flags of A, B)
    /// and <c>:packed</c>, e.g. <c>64x1024x256:NT:packed</c>.
    /// </summary>
    public static GemmShape[] Select(string[] filters)
    {
        if (filters.Length == 0) return All;
        var custom = filters.Select(Parse).OfType<GemmShape>();
        var named = All.Where(s => filters.Any(f => s.Name.Contains(f, StringComparison.OrdinalIgnoreCase)));
        return named.Concat(custom).ToArray();
    }

    private static GemmShape? Parse(string text)
    {
        string[] parts = text.Split(':');
        string[] dims = parts[0].Split('x');
        if (dims.Length != 3 || !dims.All(d => int.TryParse(d, out _))) return null;
        string trans = parts.Length > 1 && parts[1].Length == 2 ? parts[1].ToUpperInvariant() : "NN";
        bool packed = parts.Contains("packed", StringComparer.OrdinalIgnoreCase);
        return new GemmShape(text, int.Parse(dims[0]), int.Parse(dims[1]), int.Parse(dims[2]),
            TransA: trans[0] == 'T', TransB: trans[1] == 'T', Packed: packed);
    }
}
