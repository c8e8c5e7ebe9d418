using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>
/// A user's registrations: saved under the name given (or the class name), recreated by the
/// registered factory; null factories, unregistered types and unknown type names are refused
/// with messages that name the kind of object and list the known names in order.
/// </summary>
public class TypeRegistrationTests
{
    /// <summary>A layer without weights; each test registers its own subclass, since the registry maps a class to one name.</summary>
    private abstract class Probe(string? name) : Layer(name)
    {
        public override int[] ComputeOutputShape(int[] inputShape) => inputShape;
        public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => input;
        public override Tensor Backward(Tensor gradOutput) => gradOutput;
        public override JsonObject GetConfig() => new();
    }

    private sealed class NamedProbe(string? name) : Probe(name);

    private sealed class DefaultNamedProbe(string? name) : Probe(name);

    private sealed class EmptyNamedProbe(string? name) : Probe(name);

    private sealed class UnregisteredProbe(string? name) : Probe(name);

    private static LayerConfig EmptyConfig(string name) => new(new JsonObject(), name);

    /// <summary>The names a message lists between <paramref name="before"/> and <paramref name="after"/>.</summary>
    private static string[] Listed(string message, string before, string after)
    {
        int start = message.IndexOf(before, StringComparison.Ordinal);
        Assert.True(start >= 0, $"'{before}' is not in: {message}");
        start += before.Length;
        int end = message.IndexOf(after, start, StringComparison.Ordinal);
        Assert.True(end > start, $"'{after}' does not follow '{before}' in: {message}");
        return message[start..end].Split(", ");
    }

    private static void AssertOrdinalOrderHolding(string[] listed, params string[] names)
    {
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
        foreach (string name in names) Assert.Contains(name, listed);
    }

    [Fact]
    public void A_layer_registered_under_a_name_of_its_own_is_saved_by_that_name_and_recreated_by_its_factory()
    {
        TypeRegistry.RegisterLayer(c => new NamedProbe(c.LayerName), "registration_probe");

        var description = LayerRegistry.Describe(new NamedProbe("p"));
        var again = LayerRegistry.Create((JsonObject)JsonNode.Parse(description.ToJsonString())!);

        Assert.Equal("registration_probe", (string)description["type"]!);
        Assert.Equal("p", Assert.IsType<NamedProbe>(again).Name);
    }

    [Fact]
    public void A_layer_registered_without_a_name_or_with_an_empty_one_takes_its_class_name()
    {
        TypeRegistry.RegisterLayer(c => new DefaultNamedProbe(c.LayerName));
        TypeRegistry.RegisterLayer(c => new EmptyNamedProbe(c.LayerName), "");

        Assert.Equal("DefaultNamedProbe", TypeRegistry.LayerTypeName(new DefaultNamedProbe("d")));
        Assert.Equal("EmptyNamedProbe", TypeRegistry.LayerTypeName(new EmptyNamedProbe("e")));
        Assert.IsType<EmptyNamedProbe>(TypeRegistry.CreateLayer("EmptyNamedProbe", EmptyConfig("e")));
    }

    [Fact]
    public void An_unregistered_layer_cannot_be_saved_and_the_message_says_how_to_register_it()
    {
        var e = Assert.Throws<NotSupportedException>(() => TypeRegistry.LayerTypeName(new UnregisteredProbe("u")));

        Assert.Equal("Layer type UnregisteredProbe is not registered; register it with TypeRegistry.RegisterLayer to save it.", e.Message);
    }

    [Fact]
    public void A_null_factory_is_refused_by_its_argument_name()
    {
        Assert.Throws<ArgumentNullException>("fromConfig", () => TypeRegistry.RegisterLayer<Dense>(null!, "null_probe"));
        Assert.Throws<ArgumentNullException>("fromConfig", () => TypeRegistry.RegisterLoss<MeanSquaredError>(null!, "null_probe"));
        Assert.Throws<ArgumentNullException>("fromConfig", () => TypeRegistry.RegisterOptimizer<Sgd>(null!, "null_probe"));
        Assert.Throws<ArgumentNullException>("create", () => TypeRegistry.RegisterMetric(null!));
    }

    [Fact]
    public void An_unknown_layer_type_names_the_layer_and_lists_the_known_types_in_order()
    {
        var e = Assert.Throws<InvalidDataException>(() => TypeRegistry.CreateLayer("Conv9D", EmptyConfig("encoder")));

        Assert.StartsWith("Layer 'encoder' has unknown type 'Conv9D'; known types: ", e.Message);
        Assert.EndsWith(".", e.Message);
        AssertOrdinalOrderHolding(Listed(e.Message, "known types: ", "."), "Add", "Bidirectional", "Dense", "Lstm", "StepCell", "TimeDistributed");
    }

    [Fact]
    public void An_unknown_loss_or_optimizer_type_says_which_kind_it_is_and_lists_the_known_ones_in_order()
    {
        var loss = Assert.Throws<InvalidDataException>(() => TypeRegistry.CreateLoss("hinge", EmptyConfig("loss")));
        var optimizer = Assert.Throws<InvalidDataException>(() => TypeRegistry.CreateOptimizer("lion", EmptyConfig("optimizer")));

        Assert.StartsWith("Loss 'loss' has unknown type 'hinge'; known types: ", loss.Message);
        AssertOrdinalOrderHolding(Listed(loss.Message, "known types: ", "."), "binary_crossentropy", "ctc", "huber", "mae", "mse");
        Assert.StartsWith("Optimizer 'optimizer' has unknown type 'lion'; known types: ", optimizer.Message);
        AssertOrdinalOrderHolding(Listed(optimizer.Message, "known types: ", "."), "adagrad", "adam", "adamw", "rmsprop", "sgd");
    }

    [Fact]
    public void An_unknown_metric_is_named_with_the_known_metrics_in_order()
    {
        var e = Assert.Throws<InvalidDataException>(() => TypeRegistry.CreateMetric("f1"));

        Assert.StartsWith("Unknown metric 'f1' in the model file; known: ", e.Message);
        Assert.EndsWith(" (register others with TypeRegistry.RegisterMetric).", e.Message);
        AssertOrdinalOrderHolding(Listed(e.Message, "known: ", " (register"), "accuracy", "binary_accuracy", "mae", "perplexity", "rmse");
    }
}
