using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Training;

/// <summary>What the tests that drive a callback by hand share: a small compiled model, the callback attached, a refusal checked.</summary>
internal static class CallbackDriving
{
    /// <summary>A built Dense(2) over 3 features, SGD at <paramref name="learningRate"/>, MSE.</summary>
    public static Sequential Compiled(float learningRate = 0.1f)
    {
        var m = new Sequential(1, new Dense(2)) { Output = TextWriter.Null };
        m.Compile(new Sgd(learningRate), Loss.MeanSquaredError());
        m.Build(3);
        return m;
    }

    /// <summary><paramref name="callback"/> attached to <paramref name="model"/>, as Fit attaches it.</summary>
    public static T On<T>(T callback, Model model) where T : Callback
    {
        callback.Model = model;
        return callback;
    }

    /// <summary>The argument named, its value and the rule broken.</summary>
    public static void Refused(string parameter, string rule, Action act)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(act);
        Assert.Equal(parameter, e.ParamName);
        Assert.NotNull(e.ActualValue);
        Assert.StartsWith(rule, e.Message, StringComparison.Ordinal);
    }
}
