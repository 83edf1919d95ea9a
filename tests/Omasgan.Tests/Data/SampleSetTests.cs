using Omasgan.Data;
using TorchSharp;

namespace Omasgan.Tests.Data;

public sealed class SampleSetTests
{
    private static SampleSet Set() =>
        new(torch.arange(0, 4 * 2 * 3 * 3, dtype: torch.ScalarType.Byte).reshape(4, 2, 3, 3), [1, 0, 1, 2], "test set");

    [Fact]
    public void Shapes_and_counts()
    {
        using SampleSet set = Set();
        Assert.Equal(4, set.Count);
        Assert.Equal([2L, 3, 3], set.SampleShape);
        set.SampleShape[0] = 99;
        Assert.Equal([2L, 3, 3], set.SampleShape);
    }

    [Fact]
    public void Where_copies_the_rows_whose_label_passes()
    {
        using SampleSet set = Set();
        using SampleSet ones = set.Where(label => label == 1);
        Assert.Equal([1, 1], ones.Labels);
        Assert.Equal("test set", ones.Source);
        using var expected = torch.stack([set.Samples[0], set.Samples[2]]);
        Assert.Equal(expected.data<byte>().ToArray(), ones.Samples.data<byte>().ToArray());
        ones.Samples.fill_(0);
        Assert.NotEqual(0, set.Samples[2].sum().item<long>());

        using SampleSet none = set.Where(_ => false);
        Assert.Equal(0, none.Count);
        Assert.Equal([2L, 3, 3], none.SampleShape);
    }

    [Fact]
    public void SplitPerClass_holds_out_the_last_share_of_each_class_and_nothing_twice()
    {
        // 12 images: class 0 at even indices (6), class 1 at 1, 3, 5, 7 (4), class 2 at 9 and 11 (2).
        int[] labels = [0, 1, 0, 1, 0, 1, 0, 1, 0, 2, 0, 2];
        using var images = torch.arange(0, 12, dtype: torch.ScalarType.Byte).reshape(12, 1, 1, 1);
        using var set = new SampleSet(images.clone(), labels, "train");
        var (kept, heldOut) = set.SplitPerClass(0.25);
        using (kept)
        using (heldOut)
        {
            // round(0.25 × 6) = 2 (indices 8, 10), round(0.25 × 4) = 1 (7), round(0.25 × 2) = 1 (11; 0.5 rounds up).
            byte[] held = heldOut.Samples.data<byte>().ToArray();
            Assert.Equal([7, 8, 10, 11], held);
            Assert.Equal([1, 0, 0, 2], heldOut.Labels);
            byte[] rest = kept.Samples.data<byte>().ToArray();
            Assert.Equal([0, 1, 2, 3, 4, 5, 6, 9], rest);
            Assert.Equal(rest.Select(i => labels[i]), kept.Labels);
            Assert.Empty(held.Intersect(rest));
            Assert.Equal("train (held-out part)", heldOut.Source);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => set.SplitPerClass(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.SplitPerClass(1));
    }

    [Fact]
    public void Refuses_tensors_that_are_not_4d_uint8_or_labels_that_do_not_match()
    {
        Assert.Throws<ArgumentException>(() => new SampleSet(torch.zeros(4, 3, 3, dtype: torch.ScalarType.Byte), [0, 0, 0, 0], "3-D"));
        Assert.Throws<ArgumentException>(() => new SampleSet(torch.zeros(2, 1, 3, 3), [0, 0], "float"));
        Assert.Throws<ArgumentException>(() => new SampleSet(torch.zeros(new long[] { 2, 1, 3, 3 }, dtype: torch.ScalarType.Byte), [0], "labels"));
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
