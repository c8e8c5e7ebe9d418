namespace Recur.Serialization;

/// <summary>
/// A NumPy <c>.npz</c> archive or one of its <c>.npy</c> arrays is malformed or uses something
/// Recur does not read. The message names the file, the entry and the problem.
/// </summary>
/// <remarks>Derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed).</remarks>
public sealed class NpzFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="sourceName"/> with the given problem.</summary>
    public NpzFormatException(string sourceName, string problem, Exception? inner = null)
        : base($"{sourceName}: {problem}", inner)
    {
        SourceName = sourceName;
    }

    /// <summary>The file path or caller-given name of the archive.</summary>
    public string SourceName { get; }
}
