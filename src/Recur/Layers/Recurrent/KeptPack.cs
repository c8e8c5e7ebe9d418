using System.Runtime.InteropServices;
using Recur.Kernels;

namespace Recur.Layers.Recurrent;

/// <summary>
/// A weight matrix packed for a cell's step multiplies, kept with a copy of the weights it was
/// packed from and packed again only when they differ from it. Inference calls a cell's forward
/// pass for every batch, often one step long (a language model's generation steps), while its
/// weights stay the same: packing W_hh (4H·H floats for an LSTM) anew at each such call cost
/// about as much as the step's multiply. Training changes the weights at every step; the
/// comparison then stops at the first differing value and the matrix is packed as before.
/// </summary>
/// <remarks>Compared bit for bit (−0 and +0 differ, a NaN equals itself), so the packed matrix is always that of the current weights.</remarks>
internal sealed class KeptPack
{
    private PackedMatrix? _packed;
    private float[] _source = [];

    /// <summary>op(B) (K, N) packed as <see cref="Gemm.Pack"/> packs it, reusing the last packing when B (and the GEMM kernel it was packed for) is unchanged.</summary>
    public PackedMatrix Pack(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        if (_packed is not null && _packed.K == k && _packed.N == n && _packed.Kernel == KernelSettings.GemmKernel
            && MemoryMarshal.AsBytes(b).SequenceEqual(MemoryMarshal.AsBytes(_source.AsSpan())))
            return _packed;
        _packed = Gemm.Pack(transB, k, n, b, ldb, _packed);
        if (_source.Length != b.Length) _source = new float[b.Length];
        b.CopyTo(_source);
        return _packed;
    }
}
