namespace Recur.Training;

/// <summary>
/// The saved state of one callback: named numbers, texts and tensors (see
/// <see cref="Callback.SaveState"/>). Numbers are kept as doubles, exactly; tensors are copied.
/// </summary>
public sealed class CallbackState
{
    private readonly Dictionary<string, double> _numbers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>Stores a number.</summary>
    public void Set(string key, double value) => _numbers[Key(key)] = value;

    /// <summary>Stores a text.</summary>
    public void Set(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _texts[Key(key)] = value;
    }

    /// <summary>Stores a copy of a tensor.</summary>
    public void Set(string key, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _tensors[Key(key)] = Tensor.FromArray(value.Span, value.ShapeArray);
    }

    /// <summary>As <see cref="Set(string, Tensor)"/>, keeping <paramref name="value"/> itself: for a built-in callback whose tensor stays unchanged until the state is written.</summary>
    internal void SetView(string key, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _tensors[Key(key)] = value;
    }

    /// <summary>True when <paramref name="key"/> holds a number, text or tensor.</summary>
    public bool Contains(string key) => _numbers.ContainsKey(key) || _texts.ContainsKey(key) || _tensors.ContainsKey(key);

    /// <summary>The number stored under <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">No number of that name; the message lists the stored ones.</exception>
    public double GetNumber(string key) => _numbers.TryGetValue(key, out var v) ? v : throw Missing(key, "number", _numbers.Keys);

    /// <summary>The text stored under <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">No text of that name.</exception>
    public string GetText(string key) => _texts.TryGetValue(key, out var v) ? v : throw Missing(key, "text", _texts.Keys);

    /// <summary>The tensor stored under <paramref name="key"/> (the stored object; copy it to keep it).</summary>
    /// <exception cref="KeyNotFoundException">No tensor of that name.</exception>
    public Tensor GetTensor(string key) => _tensors.TryGetValue(key, out var v) ? v : throw Missing(key, "tensor", _tensors.Keys);

    internal IReadOnlyDictionary<string, double> Numbers => _numbers;

    internal IReadOnlyDictionary<string, string> Texts => _texts;

    internal IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    private static string Key(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return key;
    }

    private static KeyNotFoundException Missing(string key, string kind, IEnumerable<string> keys)
        => new($"The callback state has no {kind} '{key}'; it has: {string.Join(", ", keys.DefaultIfEmpty("(none)"))}.");
}
