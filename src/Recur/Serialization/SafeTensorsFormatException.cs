namespace Recur.Serialization;

/// <summary>
/// A safetensors file (or byte buffer) is malformed. The message names the source and says what
/// is wrong and, where it can, how to fix it.
/// </summary>
/// <remarks>
/// Derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so code
/// that handles file-reading failures catches it too.
/// </remarks>
public sealed class SafeTensorsFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="sourceName"/> with the given problem.</summary>
    public SafeTensorsFormatException(string sourceName, string problem)
        : base($"{sourceName}: {problem}")
    {
        SourceName = sourceName;
    }

    /// <summary>The file path or caller-given name of the data that failed to parse.</summary>
    public string SourceName { get; }
}
