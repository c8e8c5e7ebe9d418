namespace Recur.Onnx;

/// <summary>
/// A model cannot be exported as it is: the message names the layer and what stands in the way.
/// Raised before anything is written.
/// </summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public OnnxExportException(string message) : base(message) { }

    /// <summary>Creates the exception with its message and cause.</summary>
    public OnnxExportException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception without a message.</summary>
    public OnnxExportException() { }
}
