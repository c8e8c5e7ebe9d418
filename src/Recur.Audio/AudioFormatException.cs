namespace Recur.Audio;

/// <summary>A WAV file that cannot be read: the message names the file, what is wrong and what is expected.</summary>
public sealed class AudioFormatException : IOException
{
    /// <summary>Creates the exception with its message.</summary>
    public AudioFormatException(string message) : base(message) { }
}
