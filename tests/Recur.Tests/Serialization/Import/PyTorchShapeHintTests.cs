using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Serialization;

namespace Recur.Tests.Serialization.Import;

/// <summary>
/// What a shape or structure mismatch says is likely different, one hint at a time, from small
/// state_dicts made of Recur layers' own parameters with one tensor changed.
/// </summary>
public class PyTorchShapeHintTests
{
    private const string Source = "state_dict";

    /// <summary>A layer without a PyTorch counterpart: its mismatches get no hint.</summary>
    private sealed class Gain(string name) : Layer(name)
    {
        public override int[] ComputeOutputShape(int[] inputShape) => inputShape;
        public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => input;
        public override Tensor Backward(Tensor gradOutput) => gradOutput;
        protected override void BuildCore(int[] inputShape, SeededRandom random) => AddParameter("gain", Tensor.Zeros(inputShape[^1]));
    }

    private static T Built<T>(T layer, params int[] inputShape) where T : Layer
    {
        layer.Build(inputShape);
        return layer;
    }

    /// <summary>The parameters of <paramref name="layer"/> under module <c>m</c>, each replaced by <paramref name="edit"/> where it returns a tensor.</summary>
    private static SafeTensorsFile StateDict(Layer layer, Func<string, Tensor?>? edit = null, params (string Name, Tensor Value)[] extra)
        => SafeTensorsFile.Read(SafeTensorsWriter.ToBytes(layer.Parameters.Select(p => KeyValuePair.Create("m." + p.Name, edit?.Invoke(p.Name) ?? p.Value))
            .Concat(extra.Select(e => KeyValuePair.Create(e.Name, e.Value)))), Source);

    /// <summary>The problems of importing <paramref name="file"/> into <paramref name="layer"/> from module <c>m</c>; the message starts as it should.</summary>
    private static IReadOnlyList<string> Problems(Layer layer, SafeTensorsFile file)
    {
        var e = Assert.Throws<WeightImportException>(() => PyTorchImport.Load(layer, file, "m"));
        Assert.StartsWith($"{Source}: cannot import PyTorch weights into layer '{layer.Name}'", e.Message);
        return e.Problems;
    }

    private static string Who(Layer layer) => $"layer '{layer.Name}' ({layer.GetType().Name}, prefix 'm')";

    [Fact]
    public void Rows_of_another_cell_type_name_its_pytorch_module()
    {
        var lstm = Built(new Lstm(5, name: "rnn"), -1, 3);

        var fromGru = Problems(lstm, StateDict(Built(new Gru(5), -1, 3)));
        var fromRnn = Problems(lstm, StateDict(Built(new SimpleRnn(5), -1, 3)));

        Assert.Equal($"{Who(lstm)}: tensor 'm.weight_ih_l0' has shape (15, 3) but parameter 'weight_ih_l0' is (20, 3): " +
                     "15 rows = 3·H is the shape of an nn.GRU: the cell type differs (layer 'rnn' is a Lstm with 4·H = 20 rows).", fromGru[0]);
        Assert.Equal($"{Who(lstm)}: tensor 'm.weight_ih_l0' has shape (5, 3) but parameter 'weight_ih_l0' is (20, 3): " +
                     "5 rows = 1·H is the shape of an nn.RNN: the cell type differs (layer 'rnn' is a Lstm with 4·H = 20 rows).", fromRnn[0]);
    }

    [Fact]
    public void Rows_that_are_no_whole_number_of_gate_blocks_are_told_so()
    {
        var lstm = Built(new Lstm(5, name: "rnn"), -1, 3);

        var problems = Problems(lstm, StateDict(lstm, n => n == "weight_ih_l0" ? Tensor.Zeros(21, 3) : null));

        Assert.Equal($"{Who(lstm)}: tensor 'm.weight_ih_l0' has shape (21, 3) but parameter 'weight_ih_l0' is (20, 3): 21 rows is not 4 gate blocks of any hidden size.", Assert.Single(problems));
    }

    [Fact]
    public void The_columns_of_a_recurrent_weight_tell_the_hidden_size_or_the_width_of_a_stacked_layer()
    {
        var lstm = Built(new Lstm(6, numLayers: 2, name: "rnn"), -1, 3);

        var problems = Problems(lstm, StateDict(lstm, n => n switch
        {
            "weight_hh_l0" => Tensor.Zeros(24, 7),
            "weight_ih_l1" => Tensor.Zeros(24, 7),
            _ => null,
        }));

        Assert.Equal([
            $"{Who(lstm)}: tensor 'm.weight_hh_l0' has shape (24, 7) but parameter 'weight_hh_l0' is (24, 6): the hidden size differs (file 7, layer 6).",
            $"{Who(lstm)}: tensor 'm.weight_ih_l1' has shape (24, 7) but parameter 'weight_ih_l1' is (24, 6): " +
            "stacked layer 1's input width differs (file 7, layer 6): the hidden size or bidirectional setting differs.",
        ], problems);
    }

    [Fact]
    public void A_bidirectional_layer_given_a_unidirectional_module_is_told_both_ways()
    {
        var bidirectional = Built(new Lstm(6, numLayers: 2, bidirectional: true, name: "rnn"), -1, 3);

        var problems = Problems(bidirectional, StateDict(Built(new Lstm(6, numLayers: 2), -1, 3)));

        Assert.Contains($"{Who(bidirectional)}: tensor 'm.weight_ih_l1' has shape (24, 6) but parameter 'weight_ih_l1' is (24, 12): " +
                        "stacked layer 1 takes H = 6 inputs in the file: its module is not bidirectional, layer 'rnn' is.", problems);
        Assert.EndsWith("(the file's module is not bidirectional, layer 'rnn' is).", problems[^1]);
    }

    [Fact]
    public void A_bidirectional_stacked_layer_of_another_width_is_not_taken_for_a_unidirectional_module()
    {
        var bidirectional = Built(new Lstm(6, numLayers: 2, bidirectional: true, name: "rnn"), -1, 3);

        var problems = Problems(bidirectional, StateDict(bidirectional, n => n == "weight_ih_l1" ? Tensor.Zeros(24, 7) : null));

        Assert.Equal($"{Who(bidirectional)}: tensor 'm.weight_ih_l1' has shape (24, 7) but parameter 'weight_ih_l1' is (24, 12): " +
                     "stacked layer 1's input width differs (file 7, layer 12): the hidden size or bidirectional setting differs.", Assert.Single(problems));
    }

    [Fact]
    public void A_module_without_recurrent_tensors_gets_no_structure_hint()
    {
        var bidirectional = Built(new Lstm(3, bidirectional: true, name: "rnn"), -1, 2);
        var file = SafeTensorsFile.Read(SafeTensorsWriter.ToBytes([KeyValuePair.Create("m.extra", Tensor.Zeros(1))]), Source);

        var problems = Problems(bidirectional, file);

        Assert.EndsWith("which the file does not have; under 'm' it has 'm.extra' (1,).", problems[0]);
        Assert.Equal("the file has 1 tensor(s) no layer takes: 'm.extra' (1,). Map layers with prefixes, or pass strict: false to ignore them.", problems[1]);
    }

    [Fact]
    public void Both_axes_of_a_dense_weight_and_its_bias_alone_are_named()
    {
        var dense = Built(new Dense(2, name: "fc"), 5);

        var weight = Problems(dense, StateDict(dense, n => n == "weight" ? Tensor.Zeros(3, 4) : null));
        var bias = Problems(dense, StateDict(dense, n => n == "bias" ? Tensor.Zeros(3) : null));

        Assert.Equal($"{Who(dense)}: tensor 'm.weight' has shape (3, 4) but parameter 'weight' is (2, 5): " +
                     "the units (out_features) differs (file 3, layer 2); the input features (in_features) differs (file 4, layer 5).", Assert.Single(weight));
        Assert.Equal($"{Who(dense)}: tensor 'm.bias' has shape (3,) but parameter 'bias' is (2,): the units (out_features) differs (file 3, layer 2).", Assert.Single(bias));
    }

    [Fact]
    public void The_vocabulary_of_an_embedding_is_named()
    {
        var embedding = Built(new Embedding(12, 4, name: "emb"), -1);

        var problems = Problems(embedding, StateDict(embedding, _ => Tensor.Zeros(11, 4)));

        Assert.Equal($"{Who(embedding)}: tensor 'm.weight' has shape (11, 4) but parameter 'weight' is (12, 4): the vocabulary size (num_embeddings) differs (file 11, layer 12).",
            Assert.Single(problems));
    }

    [Fact]
    public void Ranks_that_differ_are_told_and_a_layer_without_a_pytorch_module_gets_no_hint()
    {
        var dense = Built(new Dense(2, name: "fc"), 5);
        var gain = Built(new Gain("g"), 3);

        var rank = Problems(dense, StateDict(dense, n => n == "bias" ? Tensor.Zeros(2, 1) : null));
        var plain = Problems(gain, StateDict(gain, _ => Tensor.Zeros(4)));

        Assert.Equal($"{Who(dense)}: tensor 'm.bias' has shape (2, 1) but parameter 'bias' is (2,): the ranks differ (2 in the file, 1 here).", Assert.Single(rank));
        Assert.Equal($"{Who(gain)}: tensor 'm.gain' has shape (4,) but parameter 'gain' is (3,).", Assert.Single(plain));
    }

    [Fact]
    public void A_bias_in_the_file_of_a_dense_layer_without_one_is_named_and_other_leftovers_get_no_hint()
    {
        var noBias = Built(new Dense(2, useBias: false, name: "fc"), 5);
        var lstm = Built(new Lstm(3, name: "rnn"), -1, 2);
        var dense = Built(new Dense(2, name: "fc"), 5);

        var bias = Problems(noBias, StateDict(noBias, extra: ("m.bias", Tensor.Zeros(2))));
        var lstmExtra = Problems(lstm, StateDict(lstm, extra: ("m.extra", Tensor.Zeros(1))));
        var denseExtra = Problems(dense, StateDict(dense, extra: ("m.extra", Tensor.Zeros(1))));

        Assert.Equal("the file has 1 tensor(s) no layer takes: 'm.bias' (2,) (the file's module has a bias, layer 'fc' has useBias: false). " +
                     "Map layers with prefixes, or pass strict: false to ignore them.", Assert.Single(bias));
        Assert.Equal("the file has 1 tensor(s) no layer takes: 'm.extra' (1,). Map layers with prefixes, or pass strict: false to ignore them.", Assert.Single(lstmExtra));
        Assert.Equal("the file has 1 tensor(s) no layer takes: 'm.extra' (1,). Map layers with prefixes, or pass strict: false to ignore them.", Assert.Single(denseExtra));
    }

    [Fact]
    public void Several_structural_hints_are_joined()
    {
        var lstm = Built(new Lstm(6, name: "rnn"), -1, 3);

        var problems = Problems(lstm, StateDict(Built(new Lstm(6, numLayers: 2, bidirectional: true), -1, 3)));

        Assert.StartsWith("the file has 12 tensor(s) no layer takes: ", problems[^1]);
        Assert.Matches(@"^[^…]*' \([0-9, ]+\) \(the file's module has num_layers = 2, layer 'rnn' has NumLayers = 1; the file's module is bidirectional, layer 'rnn' is not\)\. " +
                       @"Map layers with prefixes, or pass strict: false to ignore them\.$", problems[^1]);
    }
}
