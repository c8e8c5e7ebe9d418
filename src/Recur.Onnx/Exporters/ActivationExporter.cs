using Recur.Layers;

namespace Recur.Onnx;

/// <summary>Every <see cref="Activation"/> as its ONNX operator; softmax over the last axis.</summary>
internal static class ActivationExporter
{
    public static string Apply(OnnxGraphBuilder g, string x, Activation activation, string scope) => activation switch
    {
        Activation.Linear => x,
        Activation.Relu => g.Node("Relu", [x], scope + "/relu"),
        Activation.Tanh => g.Node("Tanh", [x], scope + "/tanh"),
        Activation.Sigmoid => g.Node("Sigmoid", [x], scope + "/sigmoid"),
        Activation.Softmax => g.Node("Softmax", [x], scope + "/softmax", OnnxAttribute.Int("axis", -1)),
        _ => throw new OnnxExportException($"Activation {activation} has no ONNX form."),
    };
}
