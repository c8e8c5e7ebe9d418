using Recur.Layers.Recurrent;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>Builds recurrent layers by the cell names the PyTorch fixtures use.</summary>
internal static class RecurrentFactory
{
    /// <summary>Cell names: lstm, gru (reset after), gru_cho (reset before), rnn_tanh, rnn_relu.</summary>
    public static readonly string[] Cells = { "lstm", "gru", "gru_cho", "rnn_tanh", "rnn_relu" };

    public static RecurrentLayer Create(string cell, int units, RecurrentOptions options) => cell switch
    {
        "lstm" => new Lstm(units, options),
        "gru" => new Gru(units, options, resetAfter: true),
        "gru_cho" => new Gru(units, options, resetAfter: false),
        "rnn_tanh" => new SimpleRnn(units, options, RnnActivation.Tanh),
        "rnn_relu" => new SimpleRnn(units, options, RnnActivation.Relu),
        _ => throw new ArgumentException($"Unknown cell '{cell}'.", nameof(cell)),
    };
}
