using Recur.Cli.Common;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Cli.Training;

/// <summary>Builds the recurrent part of every task's model from the common options.</summary>
internal static class Network
{
    /// <summary>
    /// The recurrent layer the options ask for: <c>--cell</c>, <c>--units</c>, <c>--layers</c>
    /// (stacked inside one layer, with <paramref name="dropout"/> between them), <c>--bidirectional</c>,
    /// and the cell options (<c>--input-dropout --recurrent-dropout --layer-norm --zoneout</c>) when the command takes them.
    /// </summary>
    public static RecurrentLayer Recurrent(TrainSettings s, bool returnSequences, float dropout = 0f, bool? bidirectional = null)
    {
        var options = new RecurrentOptions
        {
            ReturnSequences = returnSequences,
            NumLayers = s.Layers,
            Bidirectional = bidirectional ?? s.Bidirectional,
            Dropout = s.Layers > 1 ? dropout : 0f,
            Initialization = s.Init == "pytorch" ? RecurrentInit.PyTorch : RecurrentInit.Keras,
        };
        if (s.Variants is { } v)
            options = options with
            {
                InputDropout = v.InputDropout,
                RecurrentDropout = v.RecurrentDropout,
                LayerNorm = v.LayerNorm,
                ZoneoutHidden = v.Zoneout,
                ZoneoutCell = s.Cell == "lstm" ? v.Zoneout : 0f,
            };
        return s.Cell switch
        {
            "gru" => new Gru(s.Units, options),
            "rnn" => new SimpleRnn(s.Units, options),
            _ => new Lstm(s.Units, options),
        };
    }

    /// <summary>Adam with <c>--lr</c>, gradient clipping by global norm with <c>--clip</c>.</summary>
    public static void Compile(Model model, TrainSettings s, Loss loss, params Metric[] metrics)
        => model.Compile(new Adam(s.LearningRate), loss, metrics, clipNorm: s.Clip > 0 ? s.Clip : null);
}
