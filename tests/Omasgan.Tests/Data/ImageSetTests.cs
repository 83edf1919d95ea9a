using Omasgan.Data;
using TorchSharp;

namespace Omasgan.Tests.Data;

public sealed class ImageSetTests
{
    private static ImageSet Set() =>
        new(torch.arange(0, 4 * 2 * 3 * 3, dtype: torch.ScalarType.Byte).reshape(4, 2, 3, 3), [1, 0, 1, 2], "test set");

    [Fact]
    public void Shapes_and_counts()
    {
        using ImageSet set = Set();
        Assert.Equal(4, set.Count);
        Assert.Equal([2L, 3, 3], set.SampleShape);
        set.SampleShape[0] = 99;
        Assert.Equal([2L, 3, 3], set.SampleShape);
    }

    [Fact]
    public void Where_copies_the_rows_whose_label_passes()
    {
        using ImageSet set = Set();
        using ImageSet ones = set.Where(label => label == 1);
        Assert.Equal([1, 1], ones.Labels);
        Assert.Equal("test set", ones.Source);
        using var expected = torch.stack([set.Images[0], set.Images[2]]);
        Assert.Equal(expected.data<byte>().ToArray(), ones.Images.data<byte>().ToArray());
        ones.Images.fill_(0);
        Assert.NotEqual(0, set.Images[2].sum().item<long>());

        using ImageSet none = set.Where(_ => false);
        Assert.Equal(0, none.Count);
        Assert.Equal([2L, 3, 3], none.SampleShape);
    }

    [Fact]
    public void Refuses_tensors_that_are_not_4d_uint8_or_labels_that_do_not_match()
    {
        Assert.Throws<ArgumentException>(() => new ImageSet(torch.zeros(4, 3, 3, dtype: torch.ScalarType.Byte), [0, 0, 0, 0], "3-D"));
        Assert.Throws<ArgumentException>(() => new ImageSet(torch.zeros(2, 1, 3, 3), [0, 0], "float"));
        Assert.Throws<ArgumentException>(() => new ImageSet(torch.zeros(new long[] { 2, 1, 3, 3 }, dtype: torch.ScalarType.Byte), [0], "labels"));
    }

    [Fact]
    public void Data_format_messages_are_one_line()
    {
        var error = new DataFormatException("/data/x.bin", "first line\r\nsecond line\n");
        Assert.Equal("/data/x.bin: first line second line", error.Message);
        Assert.Equal("first line second line", error.Problem);
        Assert.Equal("/data/x.bin", error.Path);
    }
}
