using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// A functional model's graph in its file: written as inputs, calls in graph order and outputs
/// (a shared layer's calls numbered), read back to the same graph, and each malformed graph
/// refused with the entry named.
/// </summary>
public class FunctionalGraphFileTests
{
    /// <summary>Inputs a and b (−1, 3) through one shared Lstm, added, then a Dense head.</summary>
    private static Functional TwoInputs()
    {
        var a = Functional.Input([-1, 3], "a");
        var b = Functional.Input([-1, 3], "b");
        var shared = new Lstm(4, name: "shared");
        var sum = new Add(name: "add").Apply(shared.Apply(a), shared.Apply(b));
        return new Functional([a, b], [new Dense(2, name: "head").Apply(sum)], seed: 3, name: "pair");
    }

    private static JsonObject Architecture(string path) => (JsonObject)JsonNode.Parse(SafeTensorsFile.Read(path).Metadata["architecture"])!;

    private static JsonObject Call(JsonObject architecture, string layer)
        => (JsonObject)((JsonArray)architecture["calls"]!).First(c => (string)c!["layer"]! == layer)!;

    private static JsonObject Input(JsonObject architecture, int index) => (JsonObject)architecture["inputs"]![index]!;

    [Fact]
    public void The_graph_is_written_in_graph_order_with_each_call_of_a_shared_layer_numbered()
    {
        using var dir = new TempDirectory();
        string path = dir.File("pair.recur");
        TwoInputs().Save(path);

        var architecture = Architecture(path);

        Assert.Equal("[{\"name\":\"a\",\"shape\":[-1,3]},{\"name\":\"b\",\"shape\":[-1,3]}]", architecture["inputs"]!.ToJsonString());
        Assert.Equal("[{\"layer\":\"shared\",\"inputs\":[\"a\"]},{\"layer\":\"shared\",\"inputs\":[\"b\"]}," +
                     "{\"layer\":\"add\",\"inputs\":[\"shared:0\",\"shared:1\"]},{\"layer\":\"head\",\"inputs\":[\"add:0\"]}]", architecture["calls"]!.ToJsonString());
        Assert.Equal("[\"head:0\"]", architecture["outputs"]!.ToJsonString());
    }

    [Fact]
    public void A_saved_graph_loads_as_the_same_graph_and_predicts_the_same()
    {
        using var dir = new TempDirectory();
        string path = dir.File("pair.recur"), again = dir.File("again.recur");
        var model = TwoInputs();
        model.Save(path);
        Tensor[] x = [new Tensor([0.5f, -1f, 2f, 0.25f, 1f, -0.5f], 1, 2, 3), new Tensor([1f, 0f, -2f, 0.75f, -0.25f, 3f], 1, 2, 3)];

        var loaded = Assert.IsType<Functional>(Model.Load(path));
        loaded.Save(again);

        Assert.Equal("pair", loaded.Name);
        Assert.Equal(Architecture(path).ToJsonString(), Architecture(again).ToJsonString());
        Assert.Equal(model.Predict(x)[0].ToArray(), loaded.Predict(x)[0].ToArray());
    }

    public static TheoryData<string, string> Graphs => new()
    {
        { "layer names", "two layers are named 'shared'." },
        { "inputs not an array", "'inputs' is not an array." },
        { "no inputs", "'inputs' lists 0 entries; expected 1 to 10000." },
        { "input not an object", "inputs[0] is not an object." },
        { "input without a name", "Layer 'inputs[1]': configuration key 'name' is missing." },
        { "shape entry", "input 'a': shape entry 1 is \"3\"; expected an integer." },
        { "shape rank", "'shape' lists 9 entries; expected 1 to 8." },
        { "null shape entry", "input 'a': shape entry 1 is null; expected an integer." },
        { "input names", "two inputs are named 'a'." },
        { "call not an object", "calls[0] is not an object." },
        { "call without a layer", "Layer 'calls[0]': configuration key 'layer' is missing." },
        { "unknown layer", "calls[0] calls layer 'nope', which is not among the layers." },
        { "input not a name", "calls[0] ('shared'): an input is not a tensor name." },
        { "undefined input", "calls[0] ('shared') reads 'c', which no input or earlier call defines (calls must be listed in graph order; a graph cannot have a cycle)." },
        { "two inputs", "calls[0]: layer 'shared' (Lstm) takes 1 input; the call lists 2." },
        { "unknown output", "an output \"nothing\" names no input or call." },
        { "output not a name", "an output 3 names no input or call." },
        { "null output", "an output null names no input or call." },
        { "uncalled layer", "layer 'head' is never called." },
    };

    [Fact]
    public void An_input_of_eight_axes_is_within_the_readers_limit_and_refused_by_its_layer()
        => Assert.StartsWith("Layer 'shared' (Lstm) cannot take input (", ModelFileBytes.ArchitectureRefusal(TwoInputs(),
            a => Input(a, 0)["shape"] = JsonNode.Parse("[-1, 1, 1, 1, 1, 1, 1, 3]")));

    [Theory]
    [MemberData(nameof(Graphs))]
    public void A_malformed_graph_is_refused_with_the_entry_named(string change, string expected)
        => Assert.Equal(expected, ModelFileBytes.ArchitectureRefusal(TwoInputs(), a =>
        {
            var calls = (JsonArray)a["calls"]!;
            switch (change)
            {
                case "layer names": ((JsonArray)a["layers"]!).Single(l => (string)l!["name"]! == "head")!["name"] = "shared"; break;
                case "inputs not an array": a["inputs"] = "a"; break;
                case "no inputs": a["inputs"] = new JsonArray(); break;
                case "input not an object": ((JsonArray)a["inputs"]!)[0] = 3; break;
                case "input without a name": Input(a, 1).Remove("name"); break;
                case "shape entry": Input(a, 0)["shape"] = JsonNode.Parse("[-1, \"3\"]"); break;
                case "shape rank": Input(a, 0)["shape"] = JsonNode.Parse("[1, 1, 1, 1, 1, 1, 1, 1, 1]"); break;
                case "null shape entry": Input(a, 0)["shape"] = JsonNode.Parse("[-1, null]"); break;
                case "input names": Input(a, 1)["name"] = "a"; break;
                case "call not an object": calls[0] = 1; break;
                case "call without a layer": ((JsonObject)calls[0]!).Remove("layer"); break;
                case "unknown layer": calls[0]!["layer"] = "nope"; break;
                case "input not a name": calls[0]!["inputs"] = JsonNode.Parse("[1]"); break;
                case "undefined input": calls[0]!["inputs"] = JsonNode.Parse("[\"c\"]"); break;
                case "two inputs": calls[0]!["inputs"] = JsonNode.Parse("[\"a\", \"b\"]"); break;
                case "unknown output": a["outputs"] = JsonNode.Parse("[\"nothing\"]"); break;
                case "output not a name": a["outputs"] = JsonNode.Parse("[3]"); break;
                case "null output": a["outputs"] = JsonNode.Parse("[null]"); break;
                case "uncalled layer":
                    calls.Remove(Call(a, "head"));
                    a["outputs"] = JsonNode.Parse("[\"add:0\"]");
                    break;
                default: throw new ArgumentException(change, nameof(change));
            }
        }));
}
