using Recur.Serialization;

namespace Recur.Models;

public abstract partial class Model
{
    /// <summary>
    /// Loads weights trained in PyTorch from a <c>state_dict</c> saved with safetensors
    /// (<c>safetensors.torch.save_file(model.state_dict(), path)</c>). See <see cref="PyTorchImport"/>
    /// for the module-to-layer mapping.
    /// </summary>
    /// <param name="safetensorsPath">The .safetensors file.</param>
    /// <param name="prefixes">
    /// Layer name → state_dict module prefix, e.g. <c>["lstm"] = "encoder.rnn"</c> (<c>""</c> for
    /// unprefixed names). A layer not listed takes its own name as prefix; a wrapper
    /// (<see cref="Layers.Bidirectional"/>, <see cref="Layers.TimeDistributed"/>) takes its inner
    /// layer's name and may be listed under either name. When the model has a single layer with
    /// weights and the file has nothing under its name, unprefixed names are used (a bare
    /// <c>nn.LSTM</c> saved alone).
    /// </param>
    /// <param name="strict">When true (default), tensors in the file that no layer takes are an error.</param>
    /// <param name="inputShape">Per-sample input shape to build the model with, when it is not built yet (−1 for a free time axis).</param>
    /// <exception cref="WeightImportException">Missing, misshaped or (with <paramref name="strict"/>) unused tensors; no weight was changed.</exception>
    /// <exception cref="InvalidOperationException">The model is not built and no <paramref name="inputShape"/> was given.</exception>
    /// <example>
    /// <code>
    /// var model = new Sequential(new Embedding(5000, 64, name: "embedding"),
    ///     new Lstm(128, returnSequences: true, numLayers: 2, initialization: RecurrentInit.PyTorch, name: "lstm"),
    ///     new Dense(5000, name: "decoder"));
    /// model.ImportPyTorch("lm.safetensors", new Dictionary&lt;string, string&gt; { ["lstm"] = "encoder.rnn" }, inputShape: new[] { -1 });
    /// </code>
    /// </example>
    public void ImportPyTorch(string safetensorsPath, IReadOnlyDictionary<string, string>? prefixes = null,
        bool strict = true, int[]? inputShape = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(safetensorsPath);
        ImportPyTorch(SafeTensorsFile.Read(safetensorsPath), prefixes, strict, inputShape);
    }

    /// <summary>Loads weights from an already read PyTorch state_dict file (see <see cref="ImportPyTorch(string, IReadOnlyDictionary{string, string}, bool, int[])"/>).</summary>
    public void ImportPyTorch(SafeTensorsFile file, IReadOnlyDictionary<string, string>? prefixes = null,
        bool strict = true, int[]? inputShape = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        BuildForImport(inputShape, nameof(ImportPyTorch));
        PyTorchImport.Load(this, file, prefixes, strict);
    }

    /// <summary>
    /// Loads weights trained in Keras: <c>model.get_weights()</c> saved with
    /// <c>numpy.savez(path, *weights)</c>, taken in <c>arr_0, arr_1, …</c> order, layer by layer.
    /// See <see cref="KerasImport"/> for the transposes and gate reorders.
    /// </summary>
    /// <param name="npzPath">The .npz file.</param>
    /// <param name="inputShape">Per-sample input shape to build the model with, when it is not built yet (−1 for a free time axis).</param>
    /// <exception cref="WeightImportException">Wrong array count or shape; no weight was changed.</exception>
    /// <exception cref="InvalidOperationException">The model is not built and no <paramref name="inputShape"/> was given.</exception>
    public void ImportKeras(string npzPath, int[]? inputShape = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(npzPath);
        var npz = NpzFile.Read(npzPath);
        BuildForImport(inputShape, nameof(ImportKeras));
        KerasImport.Load(this, npz.ArraysByNumericSuffix, npz.Source);
    }

    /// <summary>
    /// Sets every weight from Keras-layout arrays in <c>get_weights()</c> order (Keras' <c>set_weights</c>);
    /// <see cref="KerasImport.ToKerasArrays(Model)"/> gives the inverse.
    /// </summary>
    /// <exception cref="WeightImportException">Wrong array count or shape; no weight was changed.</exception>
    /// <exception cref="InvalidOperationException">The model is not built and no <paramref name="inputShape"/> was given.</exception>
    public void ImportKeras(IReadOnlyList<Tensor> weights, int[]? inputShape = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var named = KerasImport.Named(weights);
        BuildForImport(inputShape, nameof(ImportKeras));
        KerasImport.Load(this, named, "weights");
    }

    private void BuildForImport(int[]? inputShape, string operation)
    {
        if (inputShape is not null) BuildFor(inputShape);
        else if (!IsBuilt)
            throw new InvalidOperationException(
                $"Model '{Name}' is not built, so its weight shapes are unknown: call Build(...) first or pass inputShape to {operation}.");
    }
}
