using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Omasgan.Features;

/// <summary>
/// The two ONNX files of ML.NET's pretrained ResNet-18 featuriser (NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1), read with the ONNX protobuf schema of OnnxSharp
/// and checked against what the embedder assumes of them:
/// <list type="bullet">
/// <item><c>ResNetPreprocess.onnx</c>: Split of the RGB input into its channels, Concat in the order
/// B, G, R, and Sub of a 1×3×224×224 mean image (in BGR order, values around 104, 117, 123: the
/// input is pixels 0..255, not scaled).</item>
/// <item><c>ResNet18.onnx</c> (exported by CNTK 2.6, opset 8): a fixed 1×3×224×224 input, only
/// Conv, BatchNormalization, Relu, MaxPool and Add nodes (no Reshape or Flatten with a constant
/// shape), and a final 7×7 AveragePool giving the 1×512×1×1 output. Its layer4 holds three basic
/// blocks where torchvision's resnet18 has two (blocks [2, 2, 2, 3]).</item>
/// </list>
/// </summary>
internal sealed class ResNet18Onnx
{
    /// <summary>The model's own input side.</summary>
    public const int NativeSize = 224;

    /// <summary>The length of the pooled output.</summary>
    public const int OutputChannels = 512;

    /// <summary>The model file, relative to the models folder.</summary>
    public const string ModelFile = "ResNet18Onnx/ResNet18.onnx";

    /// <summary>The preprocessing file, relative to the models folder.</summary>
    public const string PreprocessFile = "ResNetPrepOnnx/ResNetPreprocess.onnx";

    private static readonly HashSet<string> NetworkOps = ["Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "AveragePool"];

    private ResNet18Onnx(string modelPath, string modelSha256, string preprocessSha256, ModelProto model, float[] meanImage)
    {
        ModelPath = modelPath;
        ModelSha256 = modelSha256;
        PreprocessSha256 = preprocessSha256;
        Model = model;
        MeanImage = meanImage;
        InputName = model.Graph.Input.Single(i => model.Graph.Initializer.All(t => t.Name != i.Name)).Name;
        OutputName = model.Graph.Output[0].Name;
    }

    /// <summary>The full path of ResNet18.onnx.</summary>
    public string ModelPath { get; }

    /// <summary>SHA-256 of ResNet18.onnx (upper-case hex).</summary>
    public string ModelSha256 { get; }

    /// <summary>SHA-256 of ResNetPreprocess.onnx (upper-case hex).</summary>
    public string PreprocessSha256 { get; }

    /// <summary>The parsed network, as in the file.</summary>
    public ModelProto Model { get; }

    /// <summary>The mean image to subtract, 3×224×224 in B, G, R order.</summary>
    public float[] MeanImage { get; }

    /// <summary>The name of the network's image input.</summary>
    public string InputName { get; }

    /// <summary>The name of the network's pooled output.</summary>
    public string OutputName { get; }

    /// <summary>Reads and checks both files in <paramref name="modelDirectory"/>.</summary>
    /// <exception cref="FileNotFoundException">a file is missing; the message says where the files come from.</exception>
    /// <exception cref="InvalidDataException">a file is not the graph described above.</exception>
    public static ResNet18Onnx Load(string modelDirectory)
    {
        string modelPath = Path.GetFullPath(Path.Combine(modelDirectory, ModelFile));
        string preprocessPath = Path.GetFullPath(Path.Combine(modelDirectory, PreprocessFile));
        foreach (string path in new[] { modelPath, preprocessPath })
        {
            if (!File.Exists(path))
                throw new FileNotFoundException(
                    $"The ResNet-18 model file {path} is missing. It ships in the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, " +
                    "whose build step copies DnnImageModels/ next to the program of every project referencing Omasgan; rebuild, or give the folder " +
                    "that holds ResNet18Onnx/ and ResNetPrepOnnx/ as the model directory.", path);
        }
        byte[] modelBytes = File.ReadAllBytes(modelPath);
        byte[] preprocessBytes = File.ReadAllBytes(preprocessPath);
        ModelProto model = Parse(modelPath, modelBytes);
        ModelProto preprocess = Parse(preprocessPath, preprocessBytes);
        CheckNetwork(modelPath, model);
        float[] mean = ReadMeanImage(preprocessPath, preprocess);
        return new ResNet18Onnx(modelPath, Hashes.Of(modelBytes), Hashes.Of(preprocessBytes), model, mean);
    }

    /// <summary>
    /// The network with a symbolic batch and image size ("N", "H", "W") on its input and batch on its
    /// output, the final 7×7 AveragePool replaced by GlobalAveragePool (the same mean over the 7×7 map at
    /// 224×224, and over whatever map other sizes give), and the recorded intermediate shapes dropped
    /// (they were for 224×224). Weights and every other node are left as they are.
    /// </summary>
    public byte[] AnySizeGraph()
    {
        ModelProto copy = Model.Clone();
        GraphProto graph = copy.Graph;
        SetDims(graph.Input.Single(i => i.Name == InputName), ["N", null, "H", "W"]);
        SetDims(graph.Output.Single(o => o.Name == OutputName), ["N", null, null, null]);
        graph.ValueInfo.Clear();
        NodeProto pool = graph.Node.Single(n => n.OpType == "AveragePool");
        pool.OpType = "GlobalAveragePool";
        pool.Attribute.Clear();
        return copy.ToByteArray();
    }

    /// <summary>The float values of initializer <paramref name="name"/> (from float_data or raw_data) and its dims.</summary>
    public (float[] Values, long[] Dims) Initializer(string name)
    {
        TensorProto t = Model.Graph.Initializer.SingleOrDefault(i => i.Name == name)
                        ?? throw new InvalidDataException($"{ModelPath}: no initializer named {name}.");
        return (Floats(ModelPath, t), t.Dims.ToArray());
    }

    private static ModelProto Parse(string path, byte[] bytes)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not an ONNX model ({e.Message}).", e);
        }
    }

    private static void CheckNetwork(string path, ModelProto model)
    {
        GraphProto g = model.Graph;
        var inputs = g.Input.Where(i => g.Initializer.All(t => t.Name != i.Name)).ToList();
        if (inputs.Count != 1 || !Dims(inputs[0]).SequenceEqual([1L, 3, NativeSize, NativeSize]))
            throw new InvalidDataException($"{path}: expected one 1×3×224×224 image input.");
        if (g.Output.Count != 1 || !Dims(g.Output[0]).SequenceEqual([1L, OutputChannels, 1, 1]))
            throw new InvalidDataException($"{path}: expected one 1×512×1×1 output.");
        if (g.Node.FirstOrDefault(n => !NetworkOps.Contains(n.OpType)) is { } other)
            throw new InvalidDataException($"{path}: unexpected {other.OpType} node {other.Name}; the embedder knows Conv, BatchNormalization, Relu, MaxPool, Add and one final AveragePool.");
        var pools = g.Node.Where(n => n.OpType == "AveragePool").ToList();
        if (pools.Count != 1 || pools[0].Output[0] != g.Output[0].Name
            || !Ints(pools[0], "kernel_shape").SequenceEqual([7L, 7]) || Ints(pools[0], "pads").Any(p => p != 0))
            throw new InvalidDataException($"{path}: expected the output to come from one unpadded 7×7 AveragePool.");
    }

    private static float[] ReadMeanImage(string path, ModelProto preprocess)
    {
        GraphProto g = preprocess.Graph;
        string[] ops = g.Node.Select(n => n.OpType).ToArray();
        bool shape = ops.SequenceEqual(["Split", "Concat", "Sub"]) && g.Output.Count == 1;
        if (shape)
        {
            NodeProto split = g.Node[0], concat = g.Node[1], sub = g.Node[2];
            shape = split.Input[0] == g.Input[0].Name && split.Output.Count == 3
                    && concat.Input.SequenceEqual(split.Output.Reverse())          // R, G, B -> B, G, R
                    && Ints(split, "axis").SequenceEqual([1L]) && Ints(concat, "axis").SequenceEqual([1L])
                    && sub.Input[0] == concat.Output[0] && sub.Output[0] == g.Output[0].Name
                    && g.Initializer.Any(t => t.Name == sub.Input[1]);
        }
        if (!shape)
            throw new InvalidDataException($"{path}: expected Split(RGB) → Concat(B, G, R) → Sub(mean image).");
        TensorProto mean = g.Initializer.Single(t => t.Name == g.Node[2].Input[1]);
        if (!mean.Dims.SequenceEqual([1L, 3, NativeSize, NativeSize]))
            throw new InvalidDataException($"{path}: the mean image is [{string.Join(", ", mean.Dims)}], not 1×3×224×224.");
        return Floats(path, mean);
    }

    private static float[] Floats(string path, TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"{path}: initializer {t.Name} is not float32.");
        long count = t.Dims.Aggregate(1L, (a, b) => a * b);
        float[] values = t.FloatData.Count > 0
            ? t.FloatData.ToArray()
            : MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray(); // ONNX raw_data is little-endian
        if (values.Length != count)
            throw new InvalidDataException($"{path}: initializer {t.Name} holds {values.Length} values for dims [{string.Join(", ", t.Dims)}].");
        return values;
    }

    private static long[] Dims(ValueInfoProto v) =>
        v.Type.TensorType.Shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToArray();

    private static long[] Ints(NodeProto node, string attribute)
    {
        AttributeProto? a = node.Attribute.FirstOrDefault(x => x.Name == attribute);
        return a is null ? [] : a.Ints.Count > 0 ? a.Ints.ToArray() : [a.I];
    }

    private static void SetDims(ValueInfoProto v, string?[] symbols)
    {
        var dims = v.Type.TensorType.Shape.Dim;
        for (int i = 0; i < symbols.Length; i++)
        {
            if (symbols[i] is { } symbol)
                dims[i].DimParam = symbol; // the oneof: setting the name clears the fixed value
        }
    }
}
