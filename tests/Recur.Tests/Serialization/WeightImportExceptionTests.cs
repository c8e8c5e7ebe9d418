using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>The import exception's message: one problem inline, several as a counted list; its problems required.</summary>
public class WeightImportExceptionTests
{
    [Fact]
    public void One_problem_is_told_inline_and_several_as_a_counted_list()
    {
        var one = new WeightImportException("w.npz", "Keras weights into model 'm'", ["arr_0 does not fit."]);
        var two = new WeightImportException("w.npz", "Keras weights into model 'm'", ["arr_0 does not fit.", "arr_1 does not fit."]);

        Assert.Equal("w.npz: cannot import Keras weights into model 'm': arr_0 does not fit.", one.Message);
        Assert.Equal("w.npz: cannot import Keras weights into model 'm' (2 problems):\n  - arr_0 does not fit.\n  - arr_1 does not fit.", two.Message);
        Assert.Equal("w.npz", two.SourceName);
        Assert.Equal(["arr_0 does not fit.", "arr_1 does not fit."], two.Problems);
    }

    [Fact]
    public void Problems_are_required()
        => Assert.Throws<ArgumentNullException>("problems", () => new WeightImportException("w.npz", "weights", null!));
}
