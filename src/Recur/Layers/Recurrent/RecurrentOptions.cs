namespace Recur.Layers.Recurrent;

/// <summary>How the two directions of a bidirectional layer are combined.</summary>
public enum MergeMode
{
    /// <summary>[forward, backward] along the feature axis: width 2H (Keras and PyTorch default).</summary>
    Concat,
    /// <summary>forward + backward: width H.</summary>
    Sum,
    /// <summary>(forward + backward) / 2: width H.</summary>
    Average,
}

/// <summary>Which published initialization the recurrent weights follow.</summary>
public enum RecurrentInit
{
    /// <summary>
    /// Keras defaults: Glorot-uniform input weights, orthogonal recurrent weights, zero biases,
    /// and an LSTM forget-gate bias of 1.
    /// </summary>
    Keras,
    /// <summary>PyTorch defaults: every weight and bias U(−1/√H, 1/√H).</summary>
    PyTorch,
}

/// <summary>The nonlinearity of a <see cref="SimpleRnn"/>.</summary>
public enum RnnActivation
{
    /// <summary>tanh (the default in Keras and PyTorch).</summary>
    Tanh,
    /// <summary>max(0, x).</summary>
    Relu,
}

/// <summary>Options shared by <see cref="Lstm"/>, <see cref="Gru"/> and <see cref="SimpleRnn"/>, with Keras' defaults.</summary>
public sealed record RecurrentOptions
{
    /// <summary>Return the output at every step (B, T, D) rather than only the last (B, D). Default false (Keras).</summary>
    public bool ReturnSequences { get; init; }

    /// <summary>Number of stacked layers inside this layer (PyTorch's <c>num_layers</c>). Default 1.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>Run a second direction from each sequence's real last step back to its first. Default false.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>How bidirectional outputs are combined (also between stacked layers). Default concat.</summary>
    public MergeMode MergeMode { get; init; } = MergeMode.Concat;

    /// <summary>Weight initialization. Default <see cref="RecurrentInit.Keras"/>.</summary>
    public RecurrentInit Initialization { get; init; } = RecurrentInit.Keras;

    /// <summary>Dropout on the outputs of every stacked layer but the last, while training (PyTorch's <c>dropout</c>). Default 0.</summary>
    public float Dropout { get; init; }

    /// <summary>
    /// LSTM only: the size P of a recurrent projection h_t = W_hr·(o_t ⊙ tanh c_t) (Sak et al. 2014;
    /// PyTorch's <c>proj_size</c>, with its weights <c>weight_hr_l{k}</c> (P, H)). h and the outputs
    /// are then P wide per direction, c stays H wide. 0 (the default): no projection. Must be below
    /// the number of units.
    /// </summary>
    public int ProjectionSize { get; init; }

    /// <summary>
    /// Variational dropout on each step's input x_t while training (Keras' <c>dropout</c>; Gal &amp;
    /// Ghahramani 2016): one mask per sequence and per stacked layer and direction, the same at
    /// every step. In [0, 1); default 0. Inference ignores it.
    /// </summary>
    public float InputDropout { get; init; }

    /// <summary>
    /// Variational dropout on h_{t−1} where it enters the recurrent projection, while training
    /// (Keras' <c>recurrent_dropout</c>): one mask per sequence, the same at every step; the carried
    /// state is not dropped (a GRU's interpolation z ⊙ h_{t−1} sees it undropped, as in Keras'
    /// GRUCell; a GRU resetting before the multiply drops h_{t−1} in r ⊙ h_{t−1} as well as in the
    /// r and z projections, one mask for all three). In [0, 1); default 0. Inference ignores it. Every cell.
    /// </summary>
    public float RecurrentDropout { get; init; }

    /// <summary>
    /// Layer-normalised cells (Ba et al. 2016): the input projection x·W_ihᵀ and the recurrent
    /// projection h_{t−1}·W_hhᵀ normalised separately over their gate pre-activations, each with
    /// a learned gain (<c>ln_weight_ih_l{k}</c>, <c>ln_weight_hh_l{k}</c>) and with b_ih, b_hh as
    /// their biases; for an LSTM also h_t = o ⊙ tanh(LN(c_t)) with a gain and bias
    /// (<c>ln_weight_c_l{k}</c>, <c>ln_bias_c_l{k}</c>). Lstm (not projected) and Gru (resetting
    /// after the multiply). Default false.
    /// </summary>
    public bool LayerNorm { get; init; }

    /// <summary>
    /// Zoneout on h (Krueger et al. 2017): while training, each unit of h keeps its previous value
    /// with this probability at each step (a new mask per step); in inference
    /// h_t = p·h_{t−1} + (1 − p)·h̃_t, the expectation. In [0, 1); default 0. Every cell.
    /// </summary>
    public float ZoneoutHidden { get; init; }

    /// <summary>Zoneout on an LSTM's cell state c, as <see cref="ZoneoutHidden"/> on h. In [0, 1); default 0. LSTM only.</summary>
    public float ZoneoutCell { get; init; }

    /// <summary>Check inputs and initial states for NaN/Inf and throw before any work. Default false.</summary>
    public bool CheckFinite { get; init; }

    /// <summary>The options from the named arguments the layer constructors take.</summary>
    internal static RecurrentOptions Of(bool returnSequences, int numLayers, bool bidirectional,
        MergeMode mergeMode, RecurrentInit initialization, float dropout) => new()
        {
            ReturnSequences = returnSequences, NumLayers = numLayers, Bidirectional = bidirectional,
            MergeMode = mergeMode, Initialization = initialization, Dropout = dropout,
        };
}
