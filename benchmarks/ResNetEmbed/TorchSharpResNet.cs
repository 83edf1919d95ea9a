using Omasgan.Features;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetEmbed;

/// <summary>
/// Candidate 2 of docs/embeddings.md: the ONNX file's weights loaded into TorchVision's ResNet and run by
/// libtorch. TorchVision's <c>resnet18()</c> has blocks [2, 2, 2, 2] where the CNTK export has
/// [2, 2, 2, 3], so the network is TorchVision's <see cref="TorchSharp.Modules.ResNet"/> built with
/// [2, 2, 2, 3]; its basic block class is not public, hence <see cref="BasicBlock"/> below, made of
/// TorchSharp's own layers. Symmetric padding (TorchVision) and the export's top-left padding give the
/// same windows at sides that are multiples of 32.
/// </summary>
internal sealed class TorchSharpResNet : IDisposable
{
    private readonly TorchSharp.Modules.ResNet resnet;
    private readonly TorchSharp.Modules.Sequential features; // resnet's children but fc

    public TorchSharpResNet(ResNet18Onnx onnx)
    {
        resnet = new TorchSharp.Modules.ResNet("ResNet18-CNTK",
            (inPlanes, planes, stride, downsample, _, _, _, _) => new BasicBlock(inPlanes, planes, stride, downsample),
            expansion: 1, layers: [2, 2, 2, 3]);
        Load(resnet, onnx);
        features = Sequential(resnet.named_children().Where(c => c.name != "fc").Select(c => (c.name, (Module<Tensor, Tensor>)c.module)));
        features.eval();
    }

    /// <summary>(n, 512) embeddings of preprocessed input (n, 3, S, S).</summary>
    public Tensor Forward(Tensor input)
    {
        using var noGrad = no_grad();
        return features.call(input);
    }

    /// <summary>
    /// Copies each Conv's weight and the following BatchNormalization's scale, bias, mean and variance.
    /// The graph lists the stem and the blocks' 3×3 convolutions in TorchVision's order, and the three
    /// 1×1 downsampling convolutions in layer order; copy_ refuses any shape that does not fit.
    /// </summary>
    private static void Load(TorchSharp.Modules.ResNet resnet, ResNet18Onnx onnx)
    {
        GraphProto graph = onnx.Model.Graph;
        var convs = graph.Node.Where(n => n.OpType == "Conv").ToList();
        bool IsPointwise(NodeProto c) => c.Attribute.Single(a => a.Name == "kernel_shape").Ints[0] == 1;
        var targets = new List<(string Conv, string Bn)> { ("conv1", "bn1") };
        foreach (var (layer, blocks) in new[] { (1, 2), (2, 2), (3, 2), (4, 3) })
            for (int b = 0; b < blocks; b++)
                targets.AddRange([($"layer{layer}.{b}.conv1", $"layer{layer}.{b}.bn1"), ($"layer{layer}.{b}.conv2", $"layer{layer}.{b}.bn2")]);
        var pointwise = new[] { 2, 3, 4 }.Select(l => $"layer{l}.0.downsample").ToList();
        var main = convs.Where(c => !IsPointwise(c)).ToList();
        var down = convs.Where(IsPointwise).ToList();
        if (main.Count != targets.Count || down.Count != pointwise.Count)
            throw new InvalidDataException($"{main.Count} + {down.Count} convolutions, not {targets.Count} + {pointwise.Count}.");

        var state = resnet.state_dict();
        using var noGrad = no_grad();
        void Copy(string name, string initializer)
        {
            var (values, dims) = onnx.Initializer(initializer);
            using Tensor source = tensor(values, dims);
            state[name].copy_(source);
        }
        void LoadPair(NodeProto conv, string convName, string bnName)
        {
            NodeProto bn = graph.Node.Single(n => n.OpType == "BatchNormalization" && n.Input[0] == conv.Output[0]);
            Copy($"{convName}.weight", conv.Input[1]);
            Copy($"{bnName}.weight", bn.Input[1]);
            Copy($"{bnName}.bias", bn.Input[2]);
            Copy($"{bnName}.running_mean", bn.Input[3]);
            Copy($"{bnName}.running_var", bn.Input[4]);
        }
        for (int i = 0; i < main.Count; i++)
            LoadPair(main[i], targets[i].Conv, targets[i].Bn);
        for (int i = 0; i < down.Count; i++)
            LoadPair(down[i], $"{pointwise[i]}.0", $"{pointwise[i]}.1");
    }

    public void Dispose() => resnet.Dispose();

    /// <summary>conv3×3 (stride) – BN – ReLU – conv3×3 – BN, plus the input or its downsampling, then ReLU.</summary>
    private sealed class BasicBlock : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
        private readonly Module<Tensor, Tensor>? downsample;

        public BasicBlock(int inPlanes, int planes, int stride, Module<Tensor, Tensor>? downsample) : base(nameof(BasicBlock))
        {
            conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
            bn1 = BatchNorm2d(planes);
            conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
            bn2 = BatchNorm2d(planes);
            this.downsample = downsample;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            Tensor y = bn2.call(conv2.call(functional.relu(bn1.call(conv1.call(x)))));
            Tensor shortcut = downsample is null ? x : downsample.call(x);
            return functional.relu(y + shortcut).MoveToOuterDisposeScope();
        }
    }
}
