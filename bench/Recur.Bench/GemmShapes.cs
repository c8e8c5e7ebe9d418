namespace Recur.Bench;

/// <summary>
/// One GEMM case: C (M, N) = op(A) (M, K) · op(B) (K, N). <see cref="Packed"/> multiplies by a
/// B packed once beforehand, as a recurrent layer does with W_hh at every time step.
/// </summary>
internal sealed record GemmShape(string Name, int M, int N, int K, bool TransA = false, bool TransB = false, bool Packed = false)
{
    public double Flops => 2.0 * M * N * K;

    /// <summary>
    /// Square sizes, then the shapes of an LSTM step (B batch, T time, I input, H hidden, 4H gates):
    /// the input projection over all steps, the per-step recurrent product, and a weight gradient.
    /// </summary>
    public static readonly GemmShape[] All =
    [
        new("square 512", 512, 512, 512),
        new("square 1024", 1024, 1024, 1024),
        new("square 2048", 2048, 2048, 2048),
        new("x·W_ihᵀ (T·B=1600,I=512)→4H=2048", 1600, 2048, 512, TransB: true),
        new("x·W (6400,128)·(128,1024)", 6400, 1024, 128),
        new("h·W_hhᵀ (B=64,H=256)→1024", 64, 1024, 256, TransB: true),
        new("h·W_hhᵀ packed (B=64,H=256)→1024", 64, 1024, 256, TransB: true, Packed: true),
        new("h·W_hhᵀ packed (B=8,H=256)→1024", 8, 1024, 256, TransB: true, Packed: true),
        new("h·W_hhᵀ packed (B=1,H=256)→1024", 1, 1024, 256, TransB: true, Packed: true),
        new("dW_hh=dGᵀ·h (4H=1024,H=256) K=3200", 1024, 256, 3200, TransA: true),
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
