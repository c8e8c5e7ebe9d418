namespace Recur.Onnx;

/// <summary>The ONNX element types the exporter writes (values of ONNX's <c>TensorProto.DataType</c>).</summary>
public enum OnnxElementType
{
    /// <summary>32-bit float: activations and weights.</summary>
    Float = 1,

    /// <summary>32-bit integer: the <c>sequence_lens</c> of the recurrent operators.</summary>
    Int32 = 6,

    /// <summary>64-bit integer: token ids, shapes and axes.</summary>
    Int64 = 7,

    /// <summary>Boolean: masks.</summary>
    Bool = 9,
}
