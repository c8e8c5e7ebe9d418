namespace Recur.Cli.Data;

/// <summary>Token ids as the model reads them.</summary>
internal static class TokenIds
{
    /// <summary>(T) ids as floats (T may be 0).</summary>
    public static Tensor ToTensor(int[] ids) => Tensor.FromArray(ids.Select(i => (float)i).ToArray(), ids.Length);
}
