using System.Runtime.CompilerServices;

namespace Recur.Kernels;

// Shapes: W (G·H, K) row-major, PyTorch's W_hh layout (row g·H + u holds gate g of unit u);
// a panel is (K, 16): 16 consecutive units of one gate, K-major.

/// <summary>
/// W_hhᵀ for the one-row recurrent step (<see cref="Gemv"/>): per gate block, cut into panels of
/// <see cref="Width"/> units, each stored K-major, so that the product for a range of units
/// streams whole panels front to back. Panel (g, q) holds units [16q, 16q + 16) of gate g;
/// past H it is zero.
/// </summary>
internal sealed unsafe class UnitPanels
{
    /// <summary>Units per panel: one Vector512 of floats.</summary>
    public const int Width = 16;

    private readonly float[] _storage;

    public UnitPanels(int gates, int units, int k)
    {
        Gates = gates;
        Units = units;
        K = k;
        PanelsPerGate = (units + Width - 1) / Width;
        // 16 floats of slack so that the panels start on a 64-byte line.
        _storage = GC.AllocateArray<float>(gates * PanelsPerGate * k * Width + 16, pinned: true);
    }

    public int Gates { get; }
    public int Units { get; }
    public int K { get; }
    public int PanelsPerGate { get; }

    /// <summary>Packs <paramref name="w"/> (G·H, K) row-major.</summary>
    public void Pack(ReadOnlySpan<float> w)
    {
        if (w.Length < Gates * Units * K)
            throw new ArgumentException($"W needs {Gates * Units * K} elements ({Gates * Units}, {K}); got {w.Length}.", nameof(w));
        fixed (float* src = w)
        {
            float* dst = Base;
            for (int g = 0; g < Gates; g++)
                for (int u = 0; u < Units; u++)
                {
                    float* row = src + (nint)(g * Units + u) * K;        // W row: gate g of unit u, (K)
                    float* col = Panel(g, u / Width) + u % Width;        // its column in the panel, stride 16
                    for (int p = 0; p < K; p++) col[p * Width] = row[p];
                }
        }
    }

    /// <summary>The first float of panel <paramref name="q"/> of gate <paramref name="g"/>; the panels of a gate follow each other.</summary>
    public float* Panel(int g, int q) => Base + (nint)(g * PanelsPerGate + q) * K * Width;

    private float* Base => GemmWorkspace.AlignUp((float*)Unsafe.AsPointer(ref _storage[0]));
}
