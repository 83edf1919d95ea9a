using TorchSharp;
using static TorchSharp.torch;
var x = randn(3, 3);
Console.WriteLine(x.sum().item<float>());
