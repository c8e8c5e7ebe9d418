using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Onnx.Tests;

/// <summary>
/// Every recurrent combination — cells (LSTM, GRU reset after and before, SimpleRNN tanh and relu)
/// × directions and merge modes × stacked layers × masks × return modes — exported and run in
/// ONNX Runtime, against <c>Predict</c>. Each merge mode (concat, sum, average) is made both ways
/// the library offers a bidirectional layer: <see cref="Bidirectional"/> around a cell, and
/// <see cref="RecurrentOptions.Bidirectional"/> on the layer itself.
/// </summary>
public class RecurrentExportTests
{
    private const int B = 4, T = 6, I = 3, H = 5, V = 11;
    private static readonly int[] Lengths = [6, 4, 1, 0]; // right padding, one row without any real step

    /// <summary>"forward", or a merge mode with the form of the bidirectional layer: "concat/wrapper", "sum/options", ….</summary>
    private static IEnumerable<string> Directions()
    {
        yield return "forward";
        foreach (var merge in new[] { "concat", "sum", "average" })
            foreach (var form in new[] { "wrapper", "options" })
                yield return $"{merge}/{form}";
    }

    public static TheoryData<string, string, int, string, bool> Combinations()
    {
        var data = new TheoryData<string, string, int, string, bool>();
        foreach (var cell in new[] { "lstm", "gru", "gru_reset_before", "rnn_tanh", "rnn_relu" })
            foreach (var direction in Directions())
                foreach (int layers in new[] { 1, 2 })
                    foreach (var mask in new[] { "none", "masking", "embedding" })
                        foreach (bool sequences in new[] { true, false })
                            data.Add(cell, direction, layers, mask, sequences);
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Exported_model_predicts_as_recur(string cell, string direction, int layers, string mask, bool returnSequences)
    {
        var layer = Recurrent(cell, direction, layers, returnSequences);
        var stack = new List<Layer>();
        if (mask == "embedding") stack.Add(new Embedding(V, I, maskZero: true));
        if (mask == "masking") stack.Add(new Masking(0f));
        stack.Add(layer);
        stack.Add(new Dense(2, Activation.Tanh));
        var model = new Sequential(seed: 7, stack.ToArray());
        var x = mask == "embedding" ? TestData.Ids(B, T, V, Lengths, 3)
            : TestData.Sequences(B, T, I, mask == "masking" ? Lengths : null, 3);
        var expected = model.Predict(x);

        var actual = OnnxRuntimeRun.Output(model, x, ids: mask == "embedding");

        OnnxRuntimeRun.AssertClose(expected, actual, $"{cell} {direction} ×{layers} mask={mask} sequences={returnSequences}");
    }

    /// <summary>
    /// The recurrent layer of one combination: <paramref name="direction"/> is "forward" or
    /// "{concat|sum|average}/{wrapper|options}" (see <see cref="Directions"/>).
    /// </summary>
    internal static Layer Recurrent(string cell, string direction, int layers, bool returnSequences)
    {
        var parts = direction.Split('/');
        bool bidirectional = parts[0] != "forward";
        var merge = parts[0] switch
        {
            "forward" or "concat" => MergeMode.Concat,
            "sum" => MergeMode.Sum,
            "average" => MergeMode.Average,
            _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "unknown merge mode"),
        };
        bool wrapper = bidirectional && parts[1] == "wrapper";
        var options = new RecurrentOptions
        {
            NumLayers = layers,
            ReturnSequences = returnSequences,
            Initialization = RecurrentInit.PyTorch, // non-zero biases: their gate order is checked too
            Bidirectional = bidirectional && !wrapper,
            MergeMode = wrapper ? MergeMode.Concat : merge,
        };
        RecurrentLayer r = cell switch
        {
            "lstm" => new Lstm(H, options),
            "gru" => new Gru(H, options, resetAfter: true),
            "gru_reset_before" => new Gru(H, options, resetAfter: false),
            "rnn_tanh" => new SimpleRnn(H, options, RnnActivation.Tanh),
            "rnn_relu" => new SimpleRnn(H, options, RnnActivation.Relu),
            _ => throw new ArgumentOutOfRangeException(nameof(cell), cell, "unknown cell"),
        };
        return wrapper ? new Bidirectional(r, merge) : r;
    }
}
