using System.Text.Json;
using Recur.Layers;
using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

/// <summary>
/// The PyTorch trajectories in fixtures/optim/optimizers.json, written by
/// tools/make_optimizer_fixtures.py: a (4, 5) parameter, one shared gradient sequence, and per case
/// the optimizer, its hyper-parameters, the learning rate at each step, the parameter after
/// each step and the final state.
/// </summary>
internal sealed class OptimizerFixture
{
    private static readonly Lazy<OptimizerFixture> Loaded = new(() => new OptimizerFixture(
        Path.Combine(AppContext.BaseDirectory, "fixtures", "optim", "optimizers.json")));

    public static OptimizerFixture Instance => Loaded.Value;

    public static IEnumerable<string> CaseNames => Instance.Cases.Keys;

    private OptimizerFixture(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        Shape = root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Initial = Floats(root.GetProperty("initial"));
        Gradients = root.GetProperty("gradients").EnumerateArray().Select(Floats).ToArray();
        foreach (var c in root.GetProperty("cases").EnumerateArray())
            Cases[c.GetProperty("name").GetString()!] = new Case(c);
    }

    public int[] Shape { get; }
    public float[] Initial { get; }
    public float[][] Gradients { get; }
    public Dictionary<string, Case> Cases { get; } = new();

    /// <summary>A fresh parameter at the fixture's initial value.</summary>
    public Parameter NewParameter() => new("weight", Tensor.FromArray(Initial, Shape));

    internal static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    internal sealed class Case
    {
        private readonly JsonElement _hyper;

        public Case(JsonElement c)
        {
            Name = c.GetProperty("name").GetString()!;
            Optimizer = c.GetProperty("optimizer").GetString()!;
            _hyper = c.GetProperty("hyper_parameters").Clone();
            LearningRates = Floats(c.GetProperty("lr_per_step"));
            Trajectory = c.GetProperty("trajectory").EnumerateArray().Select(Floats).ToArray();
            foreach (var s in c.GetProperty("final_state").EnumerateObject())
            {
                if (s.Name == "step") FinalStep = (long)s.Value.GetDouble();
                else FinalState[s.Name] = Floats(s.Value);
            }
        }

        public string Name { get; }
        public string Optimizer { get; }
        public float[] LearningRates { get; }
        public float[][] Trajectory { get; }
        public long? FinalStep { get; private set; }
        public Dictionary<string, float[]> FinalState { get; } = new();

        /// <summary>
        /// Runs steps [<paramref name="from"/>, <paramref name="to"/>) on <paramref name="p"/>: sets the
        /// step's learning rate and gradient, steps, then calls <paramref name="afterStep"/> with the step index.
        /// </summary>
        public void Replay(Optimizer optimizer, Parameter p, int from = 0, int? to = null, Action<int>? afterStep = null)
        {
            for (int step = from; step < (to ?? Trajectory.Length); step++)
            {
                optimizer.LearningRate = LearningRates[step];
                Instance.Gradients[step].CopyTo(p.Grad.Span);
                optimizer.Step(new[] { p });
                afterStep?.Invoke(step);
            }
        }

        /// <summary>The Recur optimizer with the case's PyTorch hyper-parameters (absent ones at their shared defaults).</summary>
        public Optimizer Create()
        {
            float lr = F("lr", float.NaN);
            return Optimizer switch
            {
                "SGD" => new Sgd(lr, F("momentum", 0f), B("nesterov"), F("weight_decay", 0f)),
                "Adam" => new Adam(lr, Beta(0, 0.9f), Beta(1, 0.999f), F("eps", 1e-8f), F("weight_decay", 0f)),
                "AdamW" => new AdamW(lr, Beta(0, 0.9f), Beta(1, 0.999f), F("eps", 1e-8f), F("weight_decay", 1e-2f)),
                "RMSprop" => new RmsProp(lr, F("alpha", 0.99f), F("eps", 1e-8f), F("momentum", 0f), B("centered"), F("weight_decay", 0f)),
                "Adagrad" => new Adagrad(lr, F("initial_accumulator_value", 0f), F("eps", 1e-10f), F("weight_decay", 0f)),
                _ => throw new InvalidOperationException($"Unknown optimizer {Optimizer} in the fixture."),
            };
        }

        private float F(string key, float fallback) => _hyper.TryGetProperty(key, out var v) ? (float)v.GetDouble() : fallback;
        private bool B(string key) => _hyper.TryGetProperty(key, out var v) && v.GetBoolean();
        private float Beta(int i, float fallback) => _hyper.TryGetProperty("betas", out var v) ? (float)v[i].GetDouble() : fallback;
    }
}
