using System.Text.Json.Nodes;

namespace Recur.Models.Seq2Seq;

/// <summary>The recurrent cell of the encoder and the decoder.</summary>
public enum Seq2SeqCell
{
    /// <summary>LSTM: the encoder's final h and c both bridge into the decoder.</summary>
    Lstm,

    /// <summary>GRU: the encoder's final h bridges into the decoder.</summary>
    Gru,
}

/// <summary>The attention score of an encoder–decoder.</summary>
public enum Seq2SeqAttention
{
    /// <summary>No attention: the decoder sees the source only through the bridged states.</summary>
    None,

    /// <summary>Luong dot: s = h_tᵀ m_j (the decoder size must equal the encoder output width).</summary>
    Dot,

    /// <summary>Luong general: s = h_tᵀ W m_j.</summary>
    General,

    /// <summary>Bahdanau additive: s = vᵀ tanh(W_q h_t + W_m m_j + b).</summary>
    Additive,
}

/// <summary>
/// The architecture of an <see cref="EncoderDecoder"/>: sizes, cell, attention, regularisation,
/// and the padded lengths of the packed training layout.
/// </summary>
public sealed record EncoderDecoderOptions
{
    /// <summary>Source vocabulary size, with the reserved ids (see <see cref="EncoderDecoder.Pad"/>).</summary>
    public int SourceVocabulary { get; init; }

    /// <summary>Target vocabulary size, with the reserved ids.</summary>
    public int TargetVocabulary { get; init; }

    /// <summary>Source steps Ts of the packed layout (the longest source trained on).</summary>
    public int SourceSteps { get; init; }

    /// <summary>Target steps Tt of the packed layout (the longest target trained on, plus the end token).</summary>
    public int TargetSteps { get; init; }

    /// <summary>Embedding size E of source and target tokens.</summary>
    public int Embedding { get; init; } = 128;

    /// <summary>The cell of encoder and decoder.</summary>
    public Seq2SeqCell Cell { get; init; } = Seq2SeqCell.Lstm;

    /// <summary>Encoder units per direction H_e.</summary>
    public int EncoderUnits { get; init; } = 256;

    /// <summary>Stacked encoder layers.</summary>
    public int EncoderLayers { get; init; } = 1;

    /// <summary>A bidirectional encoder (output width 2·H_e).</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary>Decoder units H_d.</summary>
    public int DecoderUnits { get; init; } = 256;

    /// <summary>Stacked decoder layers.</summary>
    public int DecoderLayers { get; init; } = 1;

    /// <summary>The attention score.</summary>
    public Seq2SeqAttention Attention { get; init; } = Seq2SeqAttention.General;

    /// <summary>Hidden units of additive attention.</summary>
    public int AttentionUnits { get; init; } = 128;

    /// <summary>
    /// Input feeding (Luong et al. 2015): each decoder step also reads the previous step's
    /// attentional state, x_t = [y_t; h̃_{t−1}], so the decoder runs one step at a time in training too.
    /// </summary>
    public bool InputFeeding { get; init; }

    /// <summary>Dropout on the embeddings and on the attentional state h̃ (training only).</summary>
    public float Dropout { get; init; } = 0.2f;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        Positive(nameof(SourceVocabulary), SourceVocabulary - EncoderDecoder.FirstToken + 1);
        Positive(nameof(TargetVocabulary), TargetVocabulary - EncoderDecoder.FirstToken + 1);
        Positive(nameof(SourceSteps), SourceSteps);
        Positive(nameof(TargetSteps), TargetSteps);
        Positive(nameof(Embedding), Embedding);
        Positive(nameof(EncoderUnits), EncoderUnits);
        Positive(nameof(EncoderLayers), EncoderLayers);
        Positive(nameof(DecoderUnits), DecoderUnits);
        Positive(nameof(DecoderLayers), DecoderLayers);
        Positive(nameof(AttentionUnits), AttentionUnits);
        if (!Enum.IsDefined(Cell)) throw new ArgumentOutOfRangeException(nameof(Cell), Cell, "Unknown cell.");
        if (!Enum.IsDefined(Attention)) throw new ArgumentOutOfRangeException(nameof(Attention), Attention, "Unknown attention.");
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        if (Attention == Seq2SeqAttention.Dot && DecoderUnits != EncoderWidth)
            throw new ArgumentOutOfRangeException(nameof(DecoderUnits), DecoderUnits,
                $"Dot attention needs the decoder units to equal the encoder output width {EncoderWidth}; use general or additive attention.");
    }

    /// <summary>Width of the encoder's outputs W_e = D·H_e.</summary>
    public int EncoderWidth => (Bidirectional ? 2 : 1) * EncoderUnits;

    private static void Positive(string name, int value)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive (vocabularies include the {EncoderDecoder.FirstToken} reserved ids).");
    }

    internal JsonObject ToJson() => new()
    {
        ["source_vocabulary"] = SourceVocabulary, ["target_vocabulary"] = TargetVocabulary,
        ["source_steps"] = SourceSteps, ["target_steps"] = TargetSteps, ["embedding"] = Embedding,
        ["cell"] = Cell.ToString(), ["encoder_units"] = EncoderUnits, ["encoder_layers"] = EncoderLayers,
        ["bidirectional"] = Bidirectional, ["decoder_units"] = DecoderUnits, ["decoder_layers"] = DecoderLayers,
        ["attention"] = Attention.ToString(), ["attention_units"] = AttentionUnits, ["dropout"] = Dropout,
        ["input_feeding"] = InputFeeding,
    };

    internal static EncoderDecoderOptions FromJson(JsonObject o)
    {
        int I(string k) => o[k]?.GetValue<int>() ?? throw new InvalidDataException($"The encoder–decoder options have no '{k}'.");
        string S(string k) => o[k]?.GetValue<string>() ?? throw new InvalidDataException($"The encoder–decoder options have no '{k}'.");
        return new EncoderDecoderOptions
        {
            SourceVocabulary = I("source_vocabulary"), TargetVocabulary = I("target_vocabulary"),
            SourceSteps = I("source_steps"), TargetSteps = I("target_steps"), Embedding = I("embedding"),
            Cell = Enum.Parse<Seq2SeqCell>(S("cell")), EncoderUnits = I("encoder_units"), EncoderLayers = I("encoder_layers"),
            Bidirectional = o["bidirectional"]?.GetValue<bool>() ?? throw new InvalidDataException("The encoder–decoder options have no 'bidirectional'."),
            DecoderUnits = I("decoder_units"), DecoderLayers = I("decoder_layers"),
            Attention = Enum.Parse<Seq2SeqAttention>(S("attention")), AttentionUnits = I("attention_units"),
            Dropout = o["dropout"]?.GetValue<float>() ?? throw new InvalidDataException("The encoder–decoder options have no 'dropout'."),
            InputFeeding = o["input_feeding"]?.GetValue<bool>() ?? false, // files written before the option have none
        };
    }
}
