using Google.Protobuf;
using Proto = global::Onnx;

namespace Recur.Onnx;

/// <summary>A node attribute (ONNX <c>AttributeProto</c>): an integer, a float, a string or a list of them.</summary>
public sealed class OnnxAttribute
{
    private readonly Proto.AttributeProto _proto;

    private OnnxAttribute(Proto.AttributeProto proto) => _proto = proto;

    /// <summary>The attribute's name.</summary>
    public string Name => _proto.Name;

    /// <summary>An integer attribute (axis, flag, size).</summary>
    public static OnnxAttribute Int(string name, long value)
        => new(new Proto.AttributeProto { Name = name, Type = Proto.AttributeProto.Types.AttributeType.Int, I = value });

    /// <summary>A list of integers (perm, axes).</summary>
    public static OnnxAttribute Ints(string name, params long[] values)
    {
        var a = new Proto.AttributeProto { Name = name, Type = Proto.AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return new(a);
    }

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value)
        => new(new Proto.AttributeProto { Name = name, Type = Proto.AttributeProto.Types.AttributeType.Float, F = value });

    /// <summary>A string attribute (direction).</summary>
    public static OnnxAttribute String(string name, string value)
        => new(new Proto.AttributeProto { Name = name, Type = Proto.AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) });

    /// <summary>A list of strings (activations).</summary>
    public static OnnxAttribute Strings(string name, params string[] values)
    {
        var a = new Proto.AttributeProto { Name = name, Type = Proto.AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return new(a);
    }

    internal Proto.AttributeProto ToProto() => _proto.Clone();
}
