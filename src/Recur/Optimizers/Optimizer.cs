using System.Text.Json.Nodes;
using System.Globalization;
using Recur.Layers;
using Recur.Training;

namespace Recur.Optimizers;

/// <summary>
/// Updates parameters from their gradients. Per-parameter state (moments, buffers, step counts)
/// lives in the optimizer, keyed by the <see cref="Parameter"/> object, so one optimizer serves
/// one model and state survives across calls of <see cref="Step"/>.
/// </summary>
/// <remarks>
/// <para>The update rules reproduce PyTorch 1.13's single-tensor implementations (documented on
/// each subclass), evaluated in float32 in the same order with the same roundings: scalars such
/// as 1 − β or lr / (1 − βᵗ) are formed in double and cast once; <c>x.add(y, alpha=a)</c> and
/// <c>x.addcmul(y, z, value=c)</c> are fused multiply-adds, as PyTorch's AVX2/AVX-512 CPU kernels
/// compute them; <c>mul_</c> followed by <c>add_</c> rounds twice. The committed PyTorch
/// trajectories (tools/make_optimizer_fixtures.py) are reproduced bit for bit.</para>
/// </remarks>
public abstract class Optimizer
{
    private readonly Dictionary<Parameter, ParameterState> _states = new(ReferenceEqualityComparer.Instance);
    private float _learningRate;

    /// <summary>Sets the learning rate (validated).</summary>
    protected Optimizer(float learningRate)
    {
        LearningRate = learningRate;
    }

    /// <summary>The optimizer's name, written into exported state (e.g. <c>adam</c>).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The hyper-parameters that recreate this optimizer, as saved with a compiled model; null
    /// (the default) when it cannot be saved (the weights still are). A user-defined optimizer
    /// overrides this and registers a factory reading the same keys with
    /// <see cref="Serialization.TypeRegistry.RegisterOptimizer{T}(Func{LayerConfig, T}, string?)"/>.
    /// </summary>
    public virtual JsonObject? GetConfig() => null;

    /// <summary>The learning rate; may be changed between steps (schedules), taking effect at the next <see cref="Step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = RequireNonNegative(value, "learningRate");
    }

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public long Iterations { get; private set; }

    /// <summary>
    /// Applies one update to every trainable parameter from its <see cref="Parameter.Grad"/>;
    /// non-trainable parameters are skipped and keep no state.
    /// </summary>
    /// <exception cref="NonFiniteGradientException">A trainable gradient holds NaN or ±∞ (checked for all parameters before anything changes).</exception>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        NonFiniteGradientException.ThrowIfAny(parameters, $"{Name} step");
        foreach (var p in parameters)
        {
            if (!p.Trainable) continue;
            if (!_states.TryGetValue(p, out var state))
                _states[p] = state = new ParameterState(this, p.Value.Length);
            state.Step++;
            Update(p.Value.Span, p.Grad.Span, state.Buffers, state.Step);
        }
        Iterations++;
    }

    /// <summary>Forgets all per-parameter state and resets <see cref="Iterations"/> to 0.</summary>
    public void Reset()
    {
        _states.Clear();
        Iterations = 0;
    }

    /// <summary>
    /// A copy of the state for <paramref name="parameters"/> in their order, named as described on
    /// <see cref="OptimizerState"/>. Import it with the same parameter order to resume exactly.
    /// </summary>
    public OptimizerState ExportState(IReadOnlyList<Parameter> parameters) => Export(parameters, copy: true);

    /// <summary>
    /// The state as <see cref="ExportState"/> gives it, but its tensors are views of the
    /// optimizer's own buffers: for a writer that saves them at once (a backup of a 20,000-word
    /// embedding's Adam moments would otherwise copy 20 MB per save).
    /// </summary>
    internal OptimizerState ExportStateViews(IReadOnlyList<Parameter> parameters) => Export(parameters, copy: false);

    private OptimizerState Export(IReadOnlyList<Parameter> parameters, bool copy)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var scalars = new List<KeyValuePair<string, double>>
        {
            new("iterations", Iterations),
            new("learning_rate", LearningRate),
        };
        for (int i = 0; i < parameters.Count; i++)
        {
            if (!_states.TryGetValue(parameters[i], out var state)) continue;
            scalars.Add(new($"{i}.step", state.Step));
            for (int k = 0; k < StateNames.Length; k++)
                tensors.Add(new($"{i}.{StateNames[k]}", copy
                    ? Tensor.FromArray(state.Buffers[k], parameters[i].Value.ShapeArray)
                    : new Tensor(state.Buffers[k], parameters[i].Value.ShapeArray)));
        }
        return new OptimizerState(Name, tensors, scalars);
    }

    /// <summary>
    /// Restores state exported by <see cref="ExportState"/> (copying the tensors): iterations,
    /// learning rate (as PyTorch's <c>load_state_dict</c> does) and each parameter's buffers.
    /// Parameters of the list without entries start fresh.
    /// </summary>
    /// <exception cref="ArgumentException">The state is from another optimizer or configuration, names an unknown entry or index, has a wrong shape, or lacks an entry; checked before anything changes.</exception>
    public void ImportState(IReadOnlyList<Parameter> parameters, OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(state);
        if (state.Optimizer != Name)
            throw new ArgumentException($"state was written by optimizer '{state.Optimizer}'; expected '{Name}'.", nameof(state));

        double? iterations = null, learningRate = null;
        var steps = new Dictionary<int, long>();
        foreach (var (key, value) in state.Scalars)
        {
            if (key == "iterations") iterations = RequireCount(value, key);
            else if (key == "learning_rate") learningRate = value;
            else
            {
                var (index, name) = ParseKey(key, parameters.Count);
                if (name != "step") throw UnknownEntry(key, "scalar", "step");
                steps[index] = RequireCount(value, key);
            }
        }
        if (iterations is null || learningRate is null)
            throw new ArgumentException("state lacks the scalar 'iterations' or 'learning_rate'.", nameof(state));

        var buffers = new Dictionary<int, float[][]>();
        foreach (var (key, tensor) in state.Tensors)
        {
            var (index, name) = ParseKey(key, parameters.Count);
            int k = Array.IndexOf(StateNames, name);
            if (k < 0) throw UnknownEntry(key, "tensor", string.Join(", ", StateNames));
            Tensor.RequireShape(tensor, parameters[index].Value.Shape, $"state tensor '{key}'");
            if (!buffers.TryGetValue(index, out var slots)) buffers[index] = slots = new float[StateNames.Length][];
            slots[k] = tensor.ToArray();
        }
        foreach (int index in steps.Keys.Union(buffers.Keys))
        {
            if (!steps.ContainsKey(index))
                throw new ArgumentException($"state has buffers for parameter {index} but no '{index}.step'.", nameof(state));
            for (int k = 0; k < StateNames.Length; k++)
                if (!buffers.TryGetValue(index, out var slots) || slots[k] is null)
                    throw new ArgumentException($"state lacks the tensor '{index}.{StateNames[k]}'.", nameof(state));
        }

        LearningRate = (float)learningRate.Value;
        Iterations = (long)iterations.Value;
        foreach (var p in parameters) _states.Remove(p);
        foreach (var (index, step) in steps)
            _states[parameters[index]] = new ParameterState(step, buffers.TryGetValue(index, out var b) ? b : Array.Empty<float[]>());
    }

    /// <summary>PyTorch's names of the per-parameter buffers this configuration keeps, in order.</summary>
    protected abstract string[] StateNames { get; }

    /// <summary>The value a fresh buffer starts at (0 unless overridden).</summary>
    protected virtual float InitialValue(int buffer) => 0f;

    /// <summary>
    /// Updates one parameter in place. <paramref name="buffers"/> are ordered as <see cref="StateNames"/>,
    /// <paramref name="step"/> counts this parameter's updates including this one (1 on the first).
    /// </summary>
    protected abstract void Update(Span<float> value, ReadOnlySpan<float> grad, float[][] buffers, long step);

    /// <summary>
    /// The double whose shortest decimal form equals the float's (0.9f → 0.9, not 0.899999976).
    /// PyTorch keeps hyper-parameters as Python doubles and forms scalars such as 1 − β or
    /// lr / (1 − βᵗ) in double before casting to float; doing the same from the value the user
    /// wrote reproduces its float constants exactly.
    /// </summary>
    private protected static double AsWritten(float value)
        => double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Throws unless <paramref name="value"/> is finite and ≥ 0.</summary>
    private protected static float RequireNonNegative(float value, string name)
    {
        if (!(value >= 0f && float.IsFinite(value)))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite value ≥ 0; got {value}.");
        return value;
    }

    /// <summary>Throws unless <paramref name="value"/> is in [0, 1).</summary>
    private protected static float RequireUnitInterval(float value, string name)
    {
        if (!(value >= 0f && value < 1f))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1); got {value}.");
        return value;
    }

    private static long RequireCount(double value, string key)
    {
        if (!(value >= 0 && value == Math.Floor(value) && value < 9e15))
            throw new ArgumentException($"state scalar '{key}' is {value}; expected a non-negative integer.", "state");
        return (long)value;
    }

    private static (int Index, string Name) ParseKey(string key, int count)
    {
        int dot = key.IndexOf('.');
        if (dot <= 0 || !int.TryParse(key.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            throw new ArgumentException($"state entry '{key}' is not of the form '{{index}}.{{name}}'.", "state");
        if (index >= count)
            throw new ArgumentException($"state entry '{key}' refers to parameter {index}; the list has {count} parameters.", "state");
        return (index, key[(dot + 1)..]);
    }

    private ArgumentException UnknownEntry(string key, string kind, string expected)
        => new($"state {kind} '{key}' is not part of {Name}'s state for this configuration; expected '{{index}}.' followed by one of: {expected}.", "state");

    /// <summary>One parameter's step count and buffers.</summary>
    private sealed class ParameterState
    {
        public ParameterState(Optimizer owner, int length)
        {
            Buffers = new float[owner.StateNames.Length][];
            for (int k = 0; k < Buffers.Length; k++)
            {
                Buffers[k] = new float[length];
                float init = owner.InitialValue(k);
                if (init != 0f) Array.Fill(Buffers[k], init);
            }
        }

        public ParameterState(long step, float[][] buffers)
        {
            Step = step;
            Buffers = buffers;
        }

        public long Step;
        public readonly float[][] Buffers; // each (n) = the parameter's flat length
    }
}
