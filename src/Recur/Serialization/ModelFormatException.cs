namespace Recur.Serialization;

/// <summary>A <c>.recur</c> model file that cannot be loaded; the message names the file and what is wrong.</summary>
public sealed class ModelFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public ModelFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The model file.</summary>
    public string Path { get; }
}
