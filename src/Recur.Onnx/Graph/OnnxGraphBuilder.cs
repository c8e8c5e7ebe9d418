using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Proto = global::Onnx;

namespace Recur.Onnx;

/// <summary>
/// Builds the ONNX graph of one export: nodes in topological order (each added after its inputs),
/// initializers (the weights) and constants, all under unique names. Layer exporters receive it
/// through <see cref="OnnxLayerContext.Graph"/>.
/// </summary>
/// <remarks>
/// Operators are those of the default ONNX domain at <see cref="Opset"/>; an empty input name
/// leaves an optional operator input out, as ONNX specifies.
/// </remarks>
public sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reserved = new(StringComparer.Ordinal); // graph output names kept free for AddOutput
    private readonly Dictionary<(object Owner, string Hint), string> _weights = new(WeightKeyComparer.Instance);

    internal OnnxGraphBuilder(string name)
    {
        Proto.Name = name;
    }

    /// <summary>The operator set version every node binds to.</summary>
    public const int Opset = 17;

    internal Proto.GraphProto Proto { get; } = new();

    /// <summary>A name not used yet in the graph, made from <paramref name="hint"/>.</summary>
    public string UniqueName(string hint)
    {
        string baseName = string.IsNullOrEmpty(hint) ? "value" : hint;
        string name = baseName;
        for (int k = 1; !_names.Add(name); k++) name = string.Create(CultureInfo.InvariantCulture, $"{baseName}_{k}");
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    /// <param name="opType">The ONNX operator (<c>MatMul</c>, <c>LSTM</c>, …).</param>
    /// <param name="inputs">Input value names; "" for an optional input left out.</param>
    /// <param name="nameHint">Base of the node's and the output's names (a layer name and a suffix).</param>
    /// <param name="attributes">The node's attributes.</param>
    public string Node(string opType, IReadOnlyList<string> inputs, string nameHint, params OnnxAttribute[] attributes)
        => Node(opType, inputs, 1, nameHint, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs and returns their names.</summary>
    public string[] Node(string opType, IReadOnlyList<string> inputs, int outputCount, string nameHint, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputCount, 1);
        foreach (var input in inputs)
            if (input.Length > 0 && !_names.Contains(input))
                throw new ArgumentException($"Node {opType} '{nameHint}': input '{input}' is not a value of the graph (add its producer first).", nameof(inputs));
        var node = new Proto.NodeProto { OpType = opType, Name = UniqueName(nameHint + "/" + opType) };
        node.Input.AddRange(inputs);
        var outputs = new string[outputCount];
        for (int i = 0; i < outputCount; i++) outputs[i] = UniqueName(outputCount == 1 ? nameHint : string.Create(CultureInfo.InvariantCulture, $"{nameHint}_{i}"));
        node.Output.AddRange(outputs);
        foreach (var a in attributes) node.Attribute.Add(a.ToProto());
        Proto.Node.Add(node);
        return outputs;
    }

    /// <summary>Adds a float initializer (a weight) of shape <paramref name="dims"/> and returns its name.</summary>
    public string Initializer(string nameHint, ReadOnlySpan<float> values, params long[] dims)
        => AddInitializer(nameHint, OnnxElementType.Float, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>Adds an int64 initializer of shape <paramref name="dims"/> and returns its name.</summary>
    public string Initializer(string nameHint, ReadOnlySpan<long> values, params long[] dims)
        => AddInitializer(nameHint, OnnxElementType.Int64, MemoryMarshal.AsBytes(values), values.Length, dims);

    /// <summary>
    /// The float initializer <paramref name="nameHint"/> of <paramref name="owner"/> (the layer whose
    /// parameters it holds), made by <paramref name="values"/> and added the first time it is asked
    /// for; later calls return the same name without adding anything. A layer applied more than once
    /// in a functional model (shared weights) thus writes each weight once, and every call's nodes
    /// read it (ONNX lets one initializer feed any number of nodes).
    /// </summary>
    /// <param name="owner">The layer owning the parameters (compared by reference).</param>
    /// <param name="nameHint">Base of the initializer's name; with <paramref name="owner"/>, the cache key.</param>
    /// <param name="values">The values in ONNX's layout (reordered or transposed as the operator needs), called once.</param>
    /// <param name="dims">The initializer's shape.</param>
    public string Weight(object owner, string nameHint, Func<float[]> values, params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(values);
        if (_weights.TryGetValue((owner, nameHint), out var name)) return name;
        return _weights[(owner, nameHint)] = Initializer(nameHint, values(), dims);
    }

    /// <summary>A 1-D int64 constant (shapes, axes, slice bounds); equal constants are shared.</summary>
    public string Int64s(params long[] values)
    {
        string key = "i64:" + string.Join(",", values);
        if (_constants.TryGetValue(key, out var name)) return name;
        return _constants[key] = Initializer("const_" + string.Join("_", values).Replace('-', 'm'), values, values.Length);
    }

    /// <summary>A scalar constant of the given element type (0-D); equal constants are shared.</summary>
    public string Scalar(float value, OnnxElementType type = OnnxElementType.Float)
    {
        string key = string.Create(CultureInfo.InvariantCulture, $"{type}:{BitConverter.SingleToInt32Bits(value)}");
        if (_constants.TryGetValue(key, out var name)) return name;
        string hint = "const_" + string.Create(CultureInfo.InvariantCulture, $"{value:R}").Replace('-', 'm').Replace('.', 'p');
        name = type switch
        {
            OnnxElementType.Float => AddInitializer(hint, type, MemoryMarshal.AsBytes([value]), 1, []),
            OnnxElementType.Int64 => AddInitializer(hint, type, MemoryMarshal.AsBytes([(long)value]), 1, []),
            OnnxElementType.Int32 => AddInitializer(hint, type, MemoryMarshal.AsBytes([(int)value]), 1, []),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Scalar constants are Float, Int64 or Int32."),
        };
        return _constants[key] = name;
    }

    private string AddInitializer(string nameHint, OnnxElementType type, ReadOnlySpan<byte> bytes, int count, long[] dims)
    {
        long expected = 1;
        foreach (long d in dims) expected *= d;
        if (expected != count)
            throw new ArgumentException($"Initializer '{nameHint}': shape ({string.Join(", ", dims)}) holds {expected} values; got {count}.", nameof(dims));
        var tensor = new Proto.TensorProto { Name = UniqueName(nameHint), DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        Proto.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Declares a graph input (a value the caller feeds).</summary>
    internal OnnxValue AddInput(string name, OnnxElementType type, IReadOnlyList<OnnxDim> shape, string doc)
    {
        if (!_names.Add(name)) throw new ArgumentException($"The graph already has a value named '{name}'.", nameof(name));
        Proto.Input.Add(ValueInfo(name, type, shape, doc));
        return new OnnxValue(name, type, shape);
    }

    /// <summary>
    /// Declares an optional graph input: an input with an initializer of the same name holding its
    /// default, which the caller may override (ONNX IR ≥ 4).
    /// </summary>
    internal OnnxValue AddOptionalInput(string name, IReadOnlyList<OnnxDim> shape, ReadOnlySpan<float> defaultValue, long[] defaultDims, string doc)
    {
        var value = AddInput(name, OnnxElementType.Float, shape, doc);
        var tensor = new Proto.TensorProto { Name = name, DataType = (int)OnnxElementType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(defaultValue)) };
        tensor.Dims.AddRange(defaultDims);
        Proto.Initializer.Add(tensor);
        return value;
    }

    /// <summary>Keeps <paramref name="name"/> out of <see cref="UniqueName"/>'s choices, for a graph output declared later.</summary>
    internal void Reserve(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"The graph already has a value named '{name}'.", nameof(name));
        _reserved.Add(name);
    }

    /// <summary>Declares a graph output named <paramref name="name"/> holding <paramref name="value"/>.</summary>
    internal void AddOutput(string name, OnnxValue value, string doc)
    {
        string source = value.Name;
        if (source != name)
        {
            if (!_reserved.Remove(name) && !_names.Add(name)) throw new ArgumentException($"The graph already has a value named '{name}'.", nameof(name));
            var identity = new Proto.NodeProto { OpType = "Identity", Name = UniqueName(name + "/Identity") };
            identity.Input.Add(source);
            identity.Output.Add(name);
            Proto.Node.Add(identity);
        }
        Proto.Output.Add(ValueInfo(name, value.ElementType, value.Shape, doc));
    }

    internal static Proto.ValueInfoProto ValueInfo(string name, OnnxElementType type, IReadOnlyList<OnnxDim> shape, string doc)
    {
        var tensorShape = new Proto.TensorShapeProto();
        foreach (var d in shape)
        {
            var dim = new Proto.TensorShapeProto.Types.Dimension();
            if (d.IsFixed) dim.DimValue = d.Size;
            else if (d.Symbol is not null) dim.DimParam = d.Symbol;
            tensorShape.Dim.Add(dim);
        }
        return new Proto.ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new Proto.TypeProto { TensorType = new Proto.TypeProto.Types.Tensor { ElemType = (int)type, Shape = tensorShape } },
        };
    }

    /// <summary>(owner by reference, hint by ordinal): a layer's weights are its own, whatever its Equals says.</summary>
    private sealed class WeightKeyComparer : IEqualityComparer<(object Owner, string Hint)>
    {
        public static readonly WeightKeyComparer Instance = new();

        public bool Equals((object Owner, string Hint) x, (object Owner, string Hint) y)
            => ReferenceEquals(x.Owner, y.Owner) && string.Equals(x.Hint, y.Hint, StringComparison.Ordinal);

        public int GetHashCode((object Owner, string Hint) key)
            => HashCode.Combine(RuntimeHelpers.GetHashCode(key.Owner), StringComparer.Ordinal.GetHashCode(key.Hint));
    }

    /// <summary>Makes a value name safe to read in tools (letters, digits, '.', '_', '/', '-').</summary>
    internal static string Clean(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char ch in name) sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '/' or '-' ? ch : '_');
        return sb.ToString();
    }
}
