using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Features;

/// <summary>How a <see cref="ResNet18Embedder"/> runs the network.</summary>
public sealed record ResNet18EmbedderOptions
{
    /// <summary>
    /// The side in pixels that images are resized to before the network: a multiple of 32 from 32 to
    /// 224 (see <see cref="ResNet18Embedder"/> for why). 224 is the model's own size; smaller sizes are
    /// faster, roughly with the pixel count, and agree less with the 224 embedding (docs/embeddings.md).
    /// </summary>
    public int InputSize { get; init; } = ResNet18Embedder.DefaultInputSize;

    /// <summary>Images per network run (ignored, 1, with <see cref="OriginalGraph"/>).</summary>
    public int BatchSize { get; init; } = ResNet18Embedder.DefaultBatchSize;

    /// <summary>
    /// ONNX Runtime's intra-op threads for one network run; 0 lets it choose (one per physical core).
    /// The default, 1, leaves the parallelism to <see cref="Workers"/>.
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>
    /// How many batches run at once, each on its own thread (the session is shared); 0 for one per
    /// processor (the default). On a machine shared with other jobs, one single-threaded run per core
    /// was faster than one run over all cores, whose threads wait for each other at every layer
    /// (docs/embeddings.md).
    /// </summary>
    public int Workers { get; init; }

    /// <summary>
    /// Run the unmodified model file (one 224×224 image per run) instead of the graph rewritten for any
    /// batch and size. The reference the rewritten graph is checked against, and the slow baseline.
    /// </summary>
    public bool OriginalGraph { get; init; }

    /// <summary>ONNX Runtime's graph optimisation level.</summary>
    public GraphOptimizationLevel Optimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Whether ONNX Runtime's idle worker threads spin waiting for work (its default) or sleep;
    /// sleeping wastes less CPU on a machine shared with other jobs.
    /// </summary>
    public bool AllowSpinning { get; init; } = true;

    /// <summary>The folder holding ResNet18Onnx/ and ResNetPrepOnnx/; null for <see cref="ResNet18Embedder.DefaultModelDirectory"/>.</summary>
    public string? ModelDirectory { get; init; }
}

/// <summary>
/// Turns images into 512-dimensional embeddings with the ImageNet-pretrained ResNet-18 that ML.NET ships
/// (NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1: <c>ResNet18.onnx</c>, the network up
/// to its global average pooling, and <c>ResNetPreprocess.onnx</c>), run by ONNX Runtime on the CPU.
/// </summary>
/// <remarks>
/// <para>Preprocessing, as ML.NET's pipeline does it (pixels 0..255, RGB → ResNetPreprocess.onnx →
/// ResNet18.onnx), at the chosen input side S: a grey image (C = 1) is used for all three channels;
/// colour images are reordered RGB → BGR; each image is resized to S×S with bilinear interpolation
/// (half-pixel centres, antialiased when shrinking; values are not rounded to integers); and the
/// model's 224×224 mean image (BGR), resized to S×S the same way, is subtracted. At S = 224 this is
/// exactly the input ResNetPreprocess.onnx produces from the resized image.</para>
/// <para>The model file fixes its input to 1×3×224×224 and ends in a 7×7 average pool. The embedder
/// runs a copy of the graph whose batch and spatial dimensions are symbolic and whose last pool is a
/// global average pool (<see cref="ResNet18Onnx.AnySizeGraph"/>): the same weights and nodes, checked
/// against the original file at 224×224 in the tests. The CNTK export pads its stride-2 convolutions
/// and max pool on the top and left only, which gives the same windows as symmetric padding only while
/// every stride-2 layer sees an even size; with a side that is a multiple of 32 it always does (at
/// other sizes the two branches of a downsampling block would not even have the same shape).</para>
/// <para>Not safe for use from several threads at once. Dispose to free the ONNX Runtime session.</para>
/// </remarks>
public sealed class ResNet18Embedder : IDisposable
{
    /// <summary>The embedding length.</summary>
    public const int EmbeddingSize = ResNet18Onnx.OutputChannels;

    /// <summary>The model's own input side, 224.</summary>
    public const int NativeInputSize = ResNet18Onnx.NativeSize;

    /// <summary>The default input side (see docs/embeddings.md for the speed and agreement of each size).</summary>
    public const int DefaultInputSize = 64;

    /// <summary>The default number of images per network run.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>
    /// Names the preprocessing in cache keys; change it whenever <see cref="Preprocess"/> changes what it
    /// computes, so that embeddings cached by an older build are not taken for new ones.
    /// </summary>
    internal const string PreprocessingVersion = "grey-to-3,rgb-to-bgr,bilinear-halfpixel-antialias,mean-image-resized;v1";

    private readonly InferenceSession session;
    private readonly RunOptions runOptions = new();
    private readonly Tensor mean; // (1, 3, S, S), B, G, R
    private readonly string inputName, outputName;
    private readonly int workers;
    private long imagesEmbedded;
    private bool disposed;

    private ResNet18Embedder(ResNet18EmbedderOptions options, ResNet18Onnx model, InferenceSession session, Tensor mean)
    {
        Options = options;
        this.session = session;
        this.mean = mean;
        inputName = model.InputName;
        outputName = model.OutputName;
        ModelPath = model.ModelPath;
        ModelSha256 = model.ModelSha256;
        PreprocessSha256 = model.PreprocessSha256;
        workers = options.Workers == 0 ? Environment.ProcessorCount : options.Workers;
    }

    /// <summary>The folder next to the program that the model package's build step copies the models to: &lt;program folder&gt;/DnnImageModels.</summary>
    public static string DefaultModelDirectory => Path.Combine(AppContext.BaseDirectory, "DnnImageModels");

    /// <summary>What this embedder was made with.</summary>
    public ResNet18EmbedderOptions Options { get; }

    /// <summary>The side images are resized to.</summary>
    public int InputSize => Options.InputSize;

    /// <summary>Images per network run.</summary>
    public int BatchSize => Options.OriginalGraph ? 1 : Options.BatchSize;

    /// <summary>How many batches run at once.</summary>
    public int Workers => workers;

    /// <summary>The full path of ResNet18.onnx.</summary>
    public string ModelPath { get; }

    /// <summary>SHA-256 of ResNet18.onnx.</summary>
    public string ModelSha256 { get; }

    /// <summary>SHA-256 of ResNetPreprocess.onnx (the mean image comes from it).</summary>
    public string PreprocessSha256 { get; }

    /// <summary>How many images this embedder has run through the network so far.</summary>
    public long ImagesEmbedded => Interlocked.Read(ref imagesEmbedded);

    /// <summary>For people: the model, the input size and how it runs.</summary>
    public string Description =>
        $"ResNet-18 (ML.NET DnnImageFeaturizer 0.23.1, ONNX Runtime), {InputSize}×{InputSize} input, " +
        (Options.OriginalGraph ? "original graph, batch 1" : $"batch {BatchSize}") +
        $", {Workers} at once × {(Options.Threads == 0 ? "ONNX Runtime's choice of" : Options.Threads)} thread{(Options.Threads == 1 ? "" : "s")}";

    /// <summary>True for the input sides the network takes: a multiple of 32 from 32 to 224.</summary>
    public static bool IsValidInputSize(int size) => size >= 32 && size <= NativeInputSize && size % 32 == 0;

    /// <summary>An embedder with default options except the input side.</summary>
    /// <exception cref="ArgumentOutOfRangeException">inputSize is not a multiple of 32 in 32..224.</exception>
    /// <exception cref="FileNotFoundException">the model files are not in <see cref="DefaultModelDirectory"/>.</exception>
    public static ResNet18Embedder Create(int inputSize = DefaultInputSize) => Create(new ResNet18EmbedderOptions { InputSize = inputSize });

    /// <summary>Reads and checks the model files and starts an ONNX Runtime session (a second or two).</summary>
    /// <exception cref="ArgumentOutOfRangeException">an option is out of range (the original graph needs InputSize 224).</exception>
    /// <exception cref="FileNotFoundException">a model file is missing; the message says where it comes from.</exception>
    /// <exception cref="InvalidDataException">a model file is not the graph the embedder knows.</exception>
    public static ResNet18Embedder Create(ResNet18EmbedderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int size = options.InputSize;
        if (!IsValidInputSize(size))
            throw new ArgumentOutOfRangeException(nameof(options), size, "The input size must be a multiple of 32 from 32 to 224.");
        if (options.OriginalGraph && size != NativeInputSize)
            throw new ArgumentOutOfRangeException(nameof(options), size, "The original graph takes 224×224 input only.");
        if (options.BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "The batch size must be at least 1.");
        if (options.Threads < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "The thread count must be 0 (ONNX Runtime's choice) or more.");
        if (options.Workers < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Workers, "The worker count must be 0 (one per processor) or more.");

        ResNet18Onnx model = ResNet18Onnx.Load(options.ModelDirectory ?? DefaultModelDirectory);
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.Optimization,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        InferenceSession session = options.OriginalGraph
            ? new InferenceSession(model.ModelPath, sessionOptions)
            : new InferenceSession(model.AnySizeGraph(), sessionOptions);
        try
        {
            Tensor mean;
            using (var scope = NewDisposeScope())
            {
                Tensor full = tensor(model.MeanImage, [1, 3, NativeInputSize, NativeInputSize]);
                mean = (size == NativeInputSize ? full.clone() : Resize(full, size)).contiguous().MoveToOuterDisposeScope();
            }
            return new ResNet18Embedder(options, model, session, mean);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The embeddings of <paramref name="images"/>, a uint8 tensor (N, C, H, W) on the CPU with C = 1
    /// (grey) or 3 (RGB) and any H, W: a new float32 tensor (N, 512) whose row i belongs to image i.
    /// Runs <see cref="BatchSize"/> images at a time, <see cref="Workers"/> batches at once, so memory
    /// beyond the input and the result stays bounded whatever N is.
    /// </summary>
    /// <param name="images">The images, 0..255.</param>
    /// <param name="progress">
    /// Called after each batch with (images done, N), from the worker threads but one call at a time,
    /// with counts that only grow; the last call has images done = N.
    /// </param>
    /// <param name="cancellationToken">Checked before each batch.</param>
    /// <exception cref="ArgumentException">images is not a 4-D uint8 CPU tensor with 1 or 3 channels.</exception>
    /// <exception cref="OperationCanceledException">cancelled; no result.</exception>
    public Tensor Embed(Tensor images, Action<long, long>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        CheckImages(images);
        long n = images.shape[0];
        long batches = (n + BatchSize - 1) / BatchSize;
        Tensor result = zeros([n, EmbeddingSize], ScalarType.Float32);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long nextBatch = -1, done = 0;
        var progressLock = new object();

        void Work()
        {
            var buffer = new float[(long)BatchSize * 3 * InputSize * InputSize];
            while (true)
            {
                failed.Token.ThrowIfCancellationRequested();
                long batch = Interlocked.Increment(ref nextBatch);
                if (batch >= batches)
                    return;
                long start = batch * BatchSize;
                int count = (int)Math.Min(BatchSize, n - start);
                using (var scope = NewDisposeScope())
                {
                    Tensor input = Preprocess(images.narrow(0, start, count));
                    float[] output = Run(input, count, buffer);
                    result.narrow(0, start, count).copy_(tensor(output, [count, EmbeddingSize]));
                }
                Interlocked.Add(ref imagesEmbedded, count);
                if (progress is not null)
                {
                    lock (progressLock)
                    {
                        done += count;
                        progress(done, n);
                    }
                }
            }
        }

        try
        {
            int threads = (int)Math.Min(workers, batches);
            if (threads <= 1)
            {
                Work();
            }
            else
            {
                Task[] tasks = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
                {
                    try
                    {
                        Work();
                    }
                    catch
                    {
                        failed.Cancel(); // stop the other workers at their next batch
                        throw;
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
                try
                {
                    Task.WaitAll(tasks);
                }
                catch (AggregateException e)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Exception first = e.Flatten().InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) ?? e.InnerExceptions[0];
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The network's input for a chunk of uint8 images: float32 (n, 3, S, S), B, G, R, minus the mean
    /// image, contiguous. Exposed to the tests, which compare it with ResNetPreprocess.onnx.
    /// </summary>
    internal Tensor Preprocess(Tensor images)
    {
        using var scope = NewDisposeScope();
        Tensor x = images.to_type(ScalarType.Float32);
        if (x.shape[1] == 3)
            x = x.flip(1); // RGB -> BGR
        if (x.shape[2] != InputSize || x.shape[3] != InputSize)
            x = Resize(x, InputSize);
        // A grey image (n, 1, S, S) broadcasts against the mean (1, 3, S, S): the same grey in each channel.
        return (x - mean).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Bilinear resize to side×side with half-pixel centres, antialiased when shrinking.</summary>
    private static Tensor Resize(Tensor x, int side)
    {
        bool shrinking = x.shape[2] > side || x.shape[3] > side;
        return nn.functional.interpolate(x, size: [side, side], mode: InterpolationMode.Bilinear, align_corners: false, antialias: shrinking);
    }

    private float[] Run(Tensor input, int count, float[] inputBuffer)
    {
        long perImage = 3L * InputSize * InputSize;
        input.data<float>().CopyTo(inputBuffer);
        var output = new float[count * EmbeddingSize];
        if (Options.OriginalGraph)
        {
            for (int i = 0; i < count; i++)
                RunOnce(inputBuffer.AsMemory((int)(i * perImage), (int)perImage), 1, output.AsSpan(i * EmbeddingSize, EmbeddingSize));
        }
        else
        {
            RunOnce(inputBuffer.AsMemory(0, (int)(count * perImage)), count, output);
        }
        return output;
    }

    private void RunOnce(Memory<float> input, int count, Span<float> output)
    {
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input, [count, 3, InputSize, InputSize]);
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions, [inputName], [value], [outputName]);
        ReadOnlySpan<float> pooled = outputs[0].GetTensorDataAsSpan<float>();
        if (pooled.Length != output.Length)
            throw new InvalidOperationException($"The network gave {pooled.Length} values for {count} images.");
        pooled.CopyTo(output);
    }

    private static void CheckImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.dtype != ScalarType.Byte || images.device_type != DeviceType.CPU || (images.shape[1] != 1 && images.shape[1] != 3)
            || images.shape[2] < 1 || images.shape[3] < 1)
            throw new ArgumentException(
                $"images must be a uint8 (N, C, H, W) CPU tensor with C = 1 or 3; got {images.dtype} [{string.Join(", ", images.shape)}] on {images.device}.",
                nameof(images));
    }

    /// <summary>Frees the ONNX Runtime session and the mean image.</summary>
    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        session.Dispose();
        runOptions.Dispose();
        mean.Dispose();
    }
}
