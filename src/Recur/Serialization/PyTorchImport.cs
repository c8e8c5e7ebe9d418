using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Serialization;

/// <summary>
/// Loads weights trained in PyTorch: a <c>state_dict</c> saved with safetensors
/// (<c>safetensors.torch.save_file(model.state_dict(), "model.safetensors")</c>).
/// </summary>
/// <remarks>
/// <para>Recur names and lays out parameters exactly as PyTorch does, so the mapping is by name
/// and nothing is transposed or reordered. A Recur layer is bound to a module prefix <c>p</c> and
/// takes the tensors <c>p.&lt;parameter name&gt;</c> (just <c>&lt;parameter name&gt;</c> when
/// <c>p</c> is empty, as for a bare <c>nn.LSTM</c> saved alone):</para>
/// <list type="table">
/// <listheader><term>PyTorch module</term><description>Recur layer and tensors</description></listheader>
/// <item><term><c>nn.LSTM</c>, <c>nn.GRU</c>, <c>nn.RNN</c> (any <c>num_layers</c>, <c>bidirectional</c>, <c>batch_first</c>)</term>
/// <description><see cref="Lstm"/>, <see cref="Gru"/> (with <c>resetAfter: true</c>, PyTorch's form),
/// <see cref="SimpleRnn"/> (same nonlinearity), or any of them in <see cref="Bidirectional"/>, with the
/// same <c>NumLayers</c> and bidirectional setting: <c>weight_ih_l{k}</c> (G·H, I_k),
/// <c>weight_hh_l{k}</c> (G·H, H), <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> (G·H), suffix
/// <c>_reverse</c> for the backward direction. Gate blocks are in PyTorch's order (LSTM i, f, g, o;
/// GRU r, z, n) in both libraries.</description></item>
/// <item><term><c>nn.Linear</c></term><description><see cref="Dense"/> (or in <see cref="TimeDistributed"/>):
/// <c>weight</c> (U, F), <c>bias</c> (U) (none with <c>useBias: false</c> / <c>bias=False</c>).</description></item>
/// <item><term><c>nn.Embedding</c></term><description><see cref="Embedding"/>: <c>weight</c> (V, E).</description></item>
/// </list>
/// <para>Tensors may be F32 (copied), F64 (rounded to float32), F16 or BF16 (widened exactly).</para>
/// <para>Everything is checked before any weight changes: every tensor a layer needs must exist
/// (the error lists what the file has under that prefix), have the parameter's shape (the error
/// names both shapes and what likely differs: hidden size, input size, num_layers,
/// bidirectional), and a convertible dtype; with <c>strict</c>, no tensor may be left unused.
/// All problems are reported together in one <see cref="WeightImportException"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// // PyTorch: self.lstm = nn.LSTM(32, 64, num_layers=2, batch_first=True); self.fc = nn.Linear(64, 1)
/// var model = new Sequential(new Lstm(64, numLayers: 2, name: "lstm"), new Dense(1, name: "fc"));
/// model.ImportPyTorch("model.safetensors", inputShape: new[] { -1, 32 });
/// </code>
/// </example>
public static class PyTorchImport
{
    /// <summary>
    /// Loads the parameters of one built <paramref name="layer"/> from the tensors of module
    /// <paramref name="prefix"/> (e.g. <c>"encoder.rnn"</c>; <c>""</c> for unprefixed names).
    /// </summary>
    /// <param name="layer">A built layer (its input size must be known).</param>
    /// <param name="file">The state_dict file.</param>
    /// <param name="prefix">The module prefix, without the trailing dot.</param>
    /// <param name="strict">When true, tensors directly under <paramref name="prefix"/> that the layer does not take are an error.</param>
    /// <exception cref="WeightImportException">The tensors do not fit; no weight was changed.</exception>
    /// <exception cref="InvalidOperationException">The layer is not built.</exception>
    public static void Load(Layer layer, SafeTensorsFile file, string prefix, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(prefix);
        if (!layer.IsBuilt)
            throw new InvalidOperationException($"Layer '{layer.Name}' is not built: build it for its input shape before importing weights.");
        var plan = new Plan(file);
        prefix = Normalize(prefix);
        plan.Bind(layer, prefix);
        if (strict) plan.CheckUnused(name => PyTorchNames.IsDirectlyUnder(name, prefix));
        plan.Apply($"PyTorch weights into layer '{layer.Name}'");
    }

    /// <summary>Binds every layer with parameters to its prefix and loads them all, or none.</summary>
    internal static void Load(Model model, SafeTensorsFile file, IReadOnlyDictionary<string, string>? prefixes, bool strict)
    {
        var layers = model.Layers.Where(l => l.Parameters.Count > 0).ToList();
        var plan = new Plan(file);
        if (prefixes is not null)
            foreach (var key in prefixes.Keys.Where(k => !layers.Any(l => l.Name == k || PyTorchNames.Unwrap(l).Name == k)))
                plan.Problems.Add($"prefixes names layer '{key}', but the model has no layer with weights called that; " +
                                  $"its layers with weights are: {string.Join(", ", layers.Select(l => $"'{l.Name}'"))}.");
        foreach (var layer in layers)
        {
            string innerName = PyTorchNames.Unwrap(layer).Name;
            string prefix;
            if (prefixes is not null && (prefixes.TryGetValue(layer.Name, out var given) || prefixes.TryGetValue(innerName, out given)))
                prefix = Normalize(given ?? "");
            else
            {
                prefix = innerName;
                // A lone module saved by itself (torch.save of an nn.LSTM's state_dict) has no prefix.
                if (layers.Count == 1 && !file.Names.Any(n => PyTorchNames.IsDirectlyUnder(n, prefix))
                    && layer.Parameters.Any(p => file.Contains(p.Name)))
                    prefix = "";
            }
            plan.Bind(layer, prefix);
        }
        if (strict) plan.CheckUnused(_ => true);
        plan.Apply($"PyTorch weights into model '{model.Name}'");
    }

    private static string Normalize(string prefix) => prefix.TrimEnd('.');

    /// <summary>Tensors bound to parameters, and every problem found on the way.</summary>
    private sealed class Plan(SafeTensorsFile file)
    {
        private const int MisshapedShown = 4;

        private readonly List<(Parameter Parameter, string Tensor)> _bindings = new();
        private readonly Dictionary<string, Layer> _takenBy = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Layer> _prefixes = new(StringComparer.Ordinal);

        public List<string> Problems { get; } = new();

        public void Bind(Layer layer, string prefix)
        {
            string who = $"layer '{layer.Name}' ({layer.GetType().Name}, prefix '{prefix}')";
            if (PyTorchNames.Unwrap(layer) is Gru { ResetAfter: false })
                Problems.Add($"{who} is a Gru with resetAfter: false; PyTorch's nn.GRU applies the reset gate after the " +
                             "recurrent multiply: build the Gru with resetAfter: true.");
            _prefixes.TryAdd(prefix, layer);
            var missing = new List<string>();
            int misshaped = 0;
            foreach (var p in layer.Parameters)
            {
                string name = PyTorchNames.Join(prefix, p.Name);
                if (!file.Contains(name))
                {
                    missing.Add(name);
                    continue;
                }
                if (_takenBy.TryGetValue(name, out var other))
                {
                    Problems.Add($"{who} and layer '{other.Name}' both take tensor '{name}'; map them to different modules with prefixes.");
                    continue;
                }
                _takenBy[name] = layer;
                string dtype = file.DtypeOf(name);
                var shape = file.ShapeOf(name);
                if (!SafeTensorsDtype.CanConvert(dtype))
                    Problems.Add($"{who}: tensor '{name}' has dtype {dtype}; Recur converts only {SafeTensorsDtype.Convertible}.");
                else if (!p.Value.SameShape(shape))
                {
                    // The first few say what differs; the rest of the layer's tensors usually differ for the same reason.
                    if (++misshaped <= MisshapedShown)
                        Problems.Add($"{who}: tensor '{name}' has shape {Tensor.ShapeString(shape)} but parameter '{p.Name}' is " +
                                     $"{Tensor.ShapeString(p.Value.Shape)}{PyTorchHints.ShapeMismatch(layer, p.Name, p.Value.ShapeArray, shape)}.");
                }
                else
                    _bindings.Add((p, name));
            }
            if (misshaped > MisshapedShown) Problems.Add($"{who}: {misshaped - MisshapedShown} more of its tensors do not fit either.");
            if (missing.Count > 0) Problems.Add($"{who} needs {List(missing, 8)}, which the file does not have; {Contents(layer, prefix)}");
        }

        /// <summary>Reports the tensors (among those <paramref name="inScope"/>) that no layer took.</summary>
        public void CheckUnused(Func<string, bool> inScope)
        {
            var unused = file.Names.Where(n => inScope(n) && !_takenBy.ContainsKey(n)).ToList();
            if (unused.Count == 0) return;
            var hints = unused.GroupBy(PyTorchNames.ModuleOf).Select(g => _prefixes.TryGetValue(g.Key, out var layer)
                ? PyTorchHints.Structure(layer, file.Names.Where(n => PyTorchNames.IsDirectlyUnder(n, g.Key)))
                : $"no layer is mapped to module {PyTorchNames.Display(g.Key)}");
            // A module whose layer shows no structural difference adds nothing, not an empty "()".
            string hint = string.Join("; ", hints.Where(h => h.Length > 0));
            Problems.Add($"the file has {unused.Count} tensor(s) no layer takes: " +
                         string.Join(", ", unused.Take(12).Select(n => $"'{n}' {Tensor.ShapeString(file.ShapeOf(n))}")) +
                         (unused.Count > 12 ? $", … ({unused.Count - 12} more)" : "") +
                         (hint.Length > 0 ? $" ({hint})" : "") + ". Map layers with prefixes, or pass strict: false to ignore them.");
        }

        /// <summary>Throws every problem, or reads every bound tensor and then copies them all.</summary>
        public void Apply(string what)
        {
            if (Problems.Count > 0) throw new WeightImportException(file.Source, what, Problems);
            var values = _bindings.Select(b => file.Get(b.Tensor)).ToList();
            for (int i = 0; i < values.Count; i++)
                if (FiniteCheck.Problem(values[i]) is { } nonFinite)
                    Problems.Add($"tensor '{_bindings[i].Tensor}' {nonFinite}; weights must be finite (the PyTorch model diverged, or the file is corrupt).");
            if (Problems.Count > 0) throw new WeightImportException(file.Source, what, Problems);
            for (int i = 0; i < values.Count; i++) _bindings[i].Parameter.Value.CopyFrom(values[i]);
        }

        /// <summary>What the file has under <paramref name="prefix"/>, or where its tensors are.</summary>
        private string Contents(Layer layer, string prefix)
        {
            var under = file.Names.Where(n => PyTorchNames.IsDirectlyUnder(n, prefix)).ToList();
            if (under.Count == 0)
            {
                var modules = file.Names.Select(PyTorchNames.ModuleOf).Distinct().Select(PyTorchNames.Display);
                return $"it has nothing under {PyTorchNames.Display(prefix)}; its modules are {string.Join(", ", modules)}. " +
                       $"Map the layer with prefixes[\"{PyTorchNames.Unwrap(layer).Name}\"] = \"<module>\".";
            }
            string hint = PyTorchHints.Structure(layer, under);
            return $"under {PyTorchNames.Display(prefix)} it has " +
                   string.Join(", ", under.Take(16).Select(n => $"'{n}' {Tensor.ShapeString(file.ShapeOf(n))}")) +
                   (under.Count > 16 ? $", … ({under.Count - 16} more)" : "") + (hint.Length > 0 ? $" ({hint})." : ".");
        }

        private static string List(List<string> names, int max) =>
            string.Join(", ", names.Take(max).Select(n => $"'{n}'")) + (names.Count > max ? $", … ({names.Count - max} more)" : "");
    }
}
