using Recur.Training;

namespace Recur.Tests.Training;

public class HistoryTests
{
    [Fact]
    public void A_quantity_logged_late_or_not_every_epoch_is_NaN_where_it_is_missing()
    {
        var h = new History();
        h.Append(new Dictionary<string, double> { ["loss"] = 3 });
        h.Append(new Dictionary<string, double> { ["loss"] = 2, ["val_loss"] = 5 }); // first logged in epoch 1
        h.Append(new Dictionary<string, double> { ["val_loss"] = 4 });               // loss missing in epoch 2
        Assert.Equal(3, h.Epochs);
        Assert.Equal(new[] { "loss", "val_loss" }, h.Keys);
        Assert.Equal(new[] { 3, 2, double.NaN }, h["loss"]);
        Assert.Equal(new[] { double.NaN, 5, 4 }, h["val_loss"]);
        Assert.True(h.Contains("val_loss"));
        Assert.False(h.Contains("lr"));
    }

    [Fact]
    public void An_unknown_quantity_names_the_logged_ones()
    {
        var h = new History();
        h.Append(new Dictionary<string, double> { ["loss"] = 1, ["accuracy"] = 0.5 });
        var e = Assert.Throws<KeyNotFoundException>(() => h["val_loss"]);
        Assert.Equal("History has no 'val_loss'; it has: loss, accuracy.", e.Message);
    }
}
