using Recur.Cli.Prediction;
using Recur.Cli.Tasks;
using Recur.Serve;
using Recur.Serve.Models;
using Recur.Serve.Tasks.Classify;

namespace Recur.Cli.Serving;

/// <summary>Serves a <c>recur classify</c> model through <see cref="TextClassifier"/>, the code of <c>recur predict</c>.</summary>
internal sealed class ClassifyAdapter : ITaskAdapter
{
    public string Task => ClassifyCommand.Task;

    public ServedModel Load(string path, string name, ServeContext context)
    {
        var trained = TrainedModel.Load(path, Task);
        var classifier = new Classifier(new TextClassifier(trained));
        var info = new ModelInfo(name, Task, TaskAdapters.Architecture(trained),
            "text: lower-cased words, the last max_length of them",
            "label: the most probable class; probabilities: every class's softmax probability", Streams: false,
            new Dictionary<string, object?> { ["labels"] = classifier.Labels, ["max_length"] = trained.Int("max_length") });
        return new ServedModel(info, new ClassifyEndpoint(name, classifier, context));
    }

    private sealed class Classifier(TextClassifier classifier) : ITextClassifier
    {
        public IReadOnlyList<string> Labels => classifier.Labels;

        public IReadOnlyList<Classification> Classify(IReadOnlyList<string> texts)
            => classifier.Classify(texts).Select(s => new Classification(s.Label, s.Probability,
                Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => s.Probabilities[p.i], StringComparer.Ordinal))).ToList();
    }
}
