using Recur.Kernels;

namespace Recur.Bench;

/// <summary>
/// σ and tanh over one step's gate pre-activations (B = 64, 4H = 1024): the scalar reference
/// against the vectorized kernels, in ns per element.
/// </summary>
internal static class ActivationTable
{
    public static void Print()
    {
        const int N = 64 * 1024;
        var rng = new Random(2);
        var x = new float[N];
        for (int i = 0; i < N; i++) x[i] = (float)(rng.NextDouble() * 16 - 8);
        var y = new float[N];
        Console.WriteLine($"{"function",-10} {"reference ns/elem",18} {"fast ns/elem",13} {"speed-up",9}");
        Row("sigmoid", () => { x.CopyTo(y, 0); Activations.Sigmoid(y); }, () => FastActivations.Sigmoid(x, y), N);
        Row("tanh", () => { x.CopyTo(y, 0); Activations.Tanh(y); }, () => FastActivations.Tanh(x, y), N);
    }

    private static void Row(string name, Action reference, Action fast, int n)
    {
        double r = GemmTable.Time(reference, 0.5) * 1e9 / n;
        double f = GemmTable.Time(fast, 0.5) * 1e9 / n;
        Console.WriteLine($"{name,-10} {r,18:F3} {f,13:F3} {r / f,8:F1}×");
    }
}
