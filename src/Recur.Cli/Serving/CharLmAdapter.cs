using Recur.Cli.Common;
using Recur.Cli.Data;
using Recur.Cli.Tasks;
using Recur.Decoding;
using Recur.Serve;
using Recur.Serve.Models;
using Recur.Serve.Tasks.Generate;

namespace Recur.Cli.Serving;

/// <summary>
/// Serves a <c>recur charlm</c> model with the decoding pieces of <c>recur charlm sample</c>: its
/// alphabet from <c>task.json</c>, <see cref="LanguageModelStepper"/> (one state per stream, the
/// streams of a batch concatenated into one multi-row state) and <see cref="Sampler.Draw"/>.
/// </summary>
internal sealed class CharLmAdapter : ITaskAdapter
{
    public string Task => CharLmCommand.Task;

    public ServedModel Load(string path, string name, ServeContext context)
    {
        var trained = TrainedModel.Load(path, Task);
        var chars = new CharText(trained.Task["alphabet"]?.GetValue<string>() ?? throw new InputException($"{trained.Path}: task.json has no alphabet."));
        LanguageModelStepper stepper;
        try
        {
            stepper = new LanguageModelStepper(trained.Model);
        }
        catch (ArgumentException e)
        {
            throw TaskAdapters.CannotServe(trained.Path, e.Message);
        }
        var info = new ModelInfo(name, Task, TaskAdapters.Architecture(trained),
            "prime: text to continue (characters of the training text)", "generated text, streamed character by character", Streams: true,
            new Dictionary<string, object?> { ["alphabet"] = chars.Alphabet });
        return new ServedModel(info, new GenerateEndpoint(name, new Adapter(chars, stepper), context));
    }

    private sealed class Adapter(CharText chars, LanguageModelStepper stepper) : ICharacterModel
    {
        public string Alphabet => chars.Alphabet;

        public object NewState() => stepper.Initial(1);

        /// <summary>N one-row states → one (N-row) step → N one-row states and their log-probabilities.</summary>
        public IReadOnlyList<CharStep> Advance(IReadOnlyList<(object State, int Previous)> rows)
        {
            int N = rows.Count, V = stepper.VocabularySize;
            var merged = stepper.Concat(rows.Select(r => (LanguageModelStepper.State)r.State).ToList());
            var logp = new float[N * V]; // (N, V)
            var next = stepper.Step(rows.Select(r => r.Previous).ToArray(), merged, logp);
            var result = new CharStep[N];
            for (int n = 0; n < N; n++) result[n] = new CharStep(N == 1 ? next : stepper.SelectRows(next, [n]), logp.AsSpan(n * V, V).ToArray());
            return result;
        }

        public int Draw(ReadOnlySpan<float> logProbabilities, double temperature, int topK, SeededRandom random)
            => Sampler.Draw(logProbabilities, new SamplingOptions { Temperature = temperature, TopK = topK > 0 ? topK : null }, random, new double[logProbabilities.Length]);
    }
}
