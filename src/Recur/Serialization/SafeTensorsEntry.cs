namespace Recur.Serialization;

/// <summary>
/// One tensor's header entry: dtype, shape, and its byte range [Begin, End) inside the data
/// buffer (the bytes after the header).
/// </summary>
internal sealed record SafeTensorsEntry(string Name, string Dtype, int[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public long Volume
    {
        get
        {
            long n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }
}
