using Recur.Serialization;

namespace Recur.Tests.Serialization;

/// <summary>The allocation budget's cap is inclusive, counts what was charged before, and its arguments are checked.</summary>
public class AllocationBudgetCapTests
{
    [Fact]
    public void Tensors_filling_the_cap_exactly_are_allowed_and_the_next_byte_is_refused()
    {
        using var budget = AllocationBudget.Open(4 * 10, (needed, used) => $"needs {needed} after {used}");

        Tensor.Zeros(6);
        Tensor.Zeros(4);
        var e = Assert.Throws<InvalidDataException>(() => Tensor.Zeros(1));

        Assert.Equal(40, budget.UsedBytes);
        Assert.Equal("needs 4 after 40", e.Message);
    }

    [Fact]
    public void A_negative_cap_or_a_missing_message_is_refused_by_its_argument_name()
    {
        var negative = Assert.Throws<ArgumentOutOfRangeException>("capBytes", () => AllocationBudget.Open(-1, (_, _) => ""));
        Assert.Equal(-1L, negative.ActualValue);
        Assert.Throws<ArgumentNullException>("problem", () => AllocationBudget.Open(0, null!));
    }
}
