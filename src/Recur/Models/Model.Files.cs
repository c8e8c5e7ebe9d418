using Recur.Serialization;

namespace Recur.Models;

public abstract partial class Model
{
    /// <summary>
    /// Saves the architecture, the weights and (when compiled) the training settings and, with
    /// <paramref name="includeOptimizer"/>, the optimizer state, as one <c>.recur</c> file
    /// (safetensors). The write is atomic: a failed save leaves any previous file intact.
    /// </summary>
    public void Save(string path, bool includeOptimizer = true) => ModelFile.Save(this, path, includeOptimizer);

    /// <summary>
    /// Loads a model saved by <see cref="Save"/>. The file is checked before use (header bounds,
    /// dtypes, tensor shapes against the architecture, format version); loading runs no code.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is not a valid model file; the message says what is wrong.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is not valid safetensors.</exception>
    public static Model Load(string path) => ModelFile.Load(path);
}
