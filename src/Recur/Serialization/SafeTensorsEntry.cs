namespace Recur.Serialization;

/// <summary>
/// One tensor's header entry: dtype, shape, and its byte range [Begin, End) inside the data
/// buffer (the bytes after the header).
/// </summary>
internal sealed record SafeTensorsEntry(string Name, string Dtype, int[] Shape, long Begin, long End);
