using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Prediction;
using Recur.Cli.Tasks;
using Recur.Serve;
using Recur.Serve.Inference;
using Recur.Serve.Models;
using Recur.Serve.Tasks.Generate;

namespace Recur.Cli.Serving;

/// <summary>
/// Serves a <c>recur charlm</c> model: its alphabet from <c>task.json</c>, the states held per
/// stream (<see cref="SequenceStepper"/>) and the draw of <c>recur charlm sample</c> (<see cref="CharSampling"/>).
/// </summary>
internal sealed class CharLmAdapter : ITaskAdapter
{
    public string Task => CharLmCommand.Task;

    public ServedModel Load(TrainedModel trained, string name, ServeContext context)
    {
        var chars = new CharText(trained.Task["alphabet"]?.GetValue<string>() ?? throw new InputException($"{trained.Path}: task.json has no alphabet."));
        SequenceStepper stepper;
        try
        {
            stepper = new SequenceStepper(trained.Model);
        }
        catch (NotSupportedException e)
        {
            throw TaskAdapters.CannotServe(trained.Path, e.Message);
        }
        var info = new ModelInfo(name, Task, TaskAdapters.Architecture(trained),
            "prime: text to continue (characters of the training text)", "generated text, streamed character by character", Streams: true,
            new Dictionary<string, object?> { ["alphabet"] = chars.Alphabet });
        return new ServedModel(info, new GenerateEndpoint(name, new Adapter(chars, stepper), context));
    }

    private sealed class Adapter(CharText chars, SequenceStepper stepper) : ICharacterModel
    {
        public string Alphabet => chars.Alphabet;

        public RecurrentStates NewState() => stepper.NewState();

        public IReadOnlyList<float[]> Advance(IReadOnlyList<(RecurrentStates State, int[] Ids)> rows) => stepper.Run(rows);

        public int Draw(ReadOnlySpan<float> logits, double temperature, int topK, SeededRandom random)
            => CharSampling.Draw(logits, temperature, topK, random);
    }
}
