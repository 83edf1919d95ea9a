using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Omasgan.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Omasgan.Features;

/// <summary>Embeddings from <see cref="EmbeddingCache.GetOrCreate(string, string, Tensor, IReadOnlyList{int}?, ResNet18Embedder, Action{long, long}?, CancellationToken)"/>.</summary>
/// <param name="Embeddings">float32 (N, 512), row i for image i; the caller owns (disposes) it.</param>
/// <param name="Path">The cache file read or written.</param>
/// <param name="Reused">True when read from the file, false when computed (and written).</param>
/// <param name="Reason">Why it was computed ("no cached file", or why the file was refused); null when reused.</param>
public sealed record CachedEmbeddings(Tensor Embeddings, string Path, bool Reused, string? Reason);

/// <summary>
/// Embeddings kept on disk, one file per source name, model and input size, so that every fold and
/// seed of an experiment reuses one embedding pass over the data.
/// </summary>
/// <remarks>
/// <para>The file is <c>&lt;cacheDirectory&gt;/&lt;name&gt;.resnet18-&lt;S&gt;.emb</c>. Its header records
/// what the embeddings were computed from: SHA-256 of the images (their shape and bytes), of the labels,
/// of ResNet18.onnx and of ResNetPreprocess.onnx, the input side S and the preprocessing version, with
/// the count, the width and a SHA-256 of the stored values. A file is reused only when all of these
/// match the request and the values check out.</para>
/// <para>Otherwise it is refused and recomputed: the embeddings are computed again and the file replaced,
/// and <see cref="CachedEmbeddings.Reason"/> says what differed (e.g. "the images changed"). So a
/// changed source never yields stale embeddings, and a name holds the embeddings of its latest source only.</para>
/// <para>Writes are atomic (<see cref="AtomicFile"/>), and a lock file next to the cache file makes a
/// second process wanting the same file wait for the first one's result instead of computing it too.</para>
/// <para>File layout: the 8 bytes "OMASEMB1", a little-endian int32 header length, the UTF-8 JSON
/// header, then N × 512 little-endian float32 values, row after row.</para>
/// </remarks>
public static class EmbeddingCache
{
    /// <summary>The environment variable naming the cache folder (used by <see cref="DefaultDirectory"/>).</summary>
    public const string DirectoryVariable = "OMASGAN_EMBEDDINGS";

    /// <summary>The file format's tag, at the start of each file.</summary>
    private static readonly byte[] Magic = "OMASEMB1"u8.ToArray();

    private const string Format = "omasgan-embeddings/1";

    /// <summary>How long a process waits for another one computing the same file.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromHours(2);

    /// <summary>$OMASGAN_EMBEDDINGS when set, else ~/.omasgan/cache/embeddings.</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".omasgan", "cache", "embeddings");

    /// <summary>The cache file for source <paramref name="name"/> embedded by <paramref name="embedder"/>.</summary>
    /// <exception cref="ArgumentException">the name is empty or holds characters other than letters, digits, '-', '_' and '.'.</exception>
    public static string FileFor(string cacheDirectory, string name, ResNet18Embedder embedder)
    {
        ArgumentNullException.ThrowIfNull(cacheDirectory);
        ArgumentNullException.ThrowIfNull(embedder);
        CheckName(name);
        return Path.Combine(cacheDirectory, $"{name}.resnet18-{embedder.InputSize}.emb");
    }

    /// <summary><see cref="GetOrCreate(string, string, Tensor, IReadOnlyList{int}?, ResNet18Embedder, Action{long, long}?, CancellationToken)"/> of a set's images and labels.</summary>
    /// <exception cref="ArgumentException">the set holds rows of features, not images.</exception>
    public static CachedEmbeddings GetOrCreate(string cacheDirectory, string name, SampleSet set, ResNet18Embedder embedder,
        Action<long, long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (!set.IsImages)
            throw new ArgumentException($"{set.Source} holds rows of features, not images.", nameof(set));
        return GetOrCreate(cacheDirectory, name, set.Samples, set.Labels, embedder, progress, cancellationToken);
    }

    /// <summary>
    /// The embeddings of <paramref name="images"/> (uint8 (N, C, H, W), as for
    /// <see cref="ResNet18Embedder.Embed"/>): read from the cache file of <paramref name="name"/> when it
    /// was made from the same images, labels, model files and input size; else computed with
    /// <paramref name="embedder"/> and written there (replacing a refused file).
    /// </summary>
    /// <param name="cacheDirectory">The cache folder (created if missing), e.g. <see cref="DefaultDirectory"/>.</param>
    /// <param name="name">The source's name for the file, e.g. "fashion-mnist-train": letters, digits, '-', '_', '.'.</param>
    /// <param name="images">The images.</param>
    /// <param name="labels">The labels, part of the key (null when there are none).</param>
    /// <param name="embedder">The embedder, used only when the file cannot be reused.</param>
    /// <param name="progress">Passed to <see cref="ResNet18Embedder.Embed"/> when computing.</param>
    /// <param name="cancellationToken">Cancels waiting for another process and computing.</param>
    /// <exception cref="ArgumentException">bad name, images, or a label count other than N.</exception>
    /// <exception cref="TimeoutException">another process held the file's lock for two hours.</exception>
    public static CachedEmbeddings GetOrCreate(string cacheDirectory, string name, Tensor images, IReadOnlyList<int>? labels,
        ResNet18Embedder embedder, Action<long, long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        string path = FileFor(cacheDirectory, name, embedder);
        if (images.dim() != 4 || images.dtype != ScalarType.Byte)
            throw new ArgumentException($"images must be a uint8 (N, C, H, W) tensor; got {images.dtype} [{string.Join(", ", images.shape)}].", nameof(images));
        if (labels is not null && labels.Count != images.shape[0])
            throw new ArgumentException($"{labels.Count} labels for {images.shape[0]} images.", nameof(labels));

        Key key = KeyOf(name, images, labels, embedder);
        Directory.CreateDirectory(cacheDirectory);
        using FileLock fileLock = AcquireLock(path + ".lock", cancellationToken);

        string reason = "no cached file";
        if (File.Exists(path))
        {
            string? refused = TryRead(path, key, out Tensor? cached);
            if (refused is null)
                return new CachedEmbeddings(cached!, path, Reused: true, Reason: null);
            reason = $"refused {Path.GetFileName(path)}: {refused}";
        }

        Tensor embeddings = embedder.Embed(images, progress, cancellationToken);
        try
        {
            Write(path, key, embeddings);
        }
        catch
        {
            embeddings.Dispose();
            throw;
        }
        return new CachedEmbeddings(embeddings, path, Reused: false, Reason: reason);
    }

    /// <summary>What the embeddings were computed from; every field must match for a file to be reused.</summary>
    private sealed record Key(
        string Format, string Name, string ImagesSha256, long[] ImagesShape, string LabelsSha256, string ModelSha256,
        string PreprocessSha256, int InputSize, string Preprocessing, int Dimension);

    /// <summary>The header: the key plus what describes the stored values.</summary>
    private sealed record Header(Key Key, long Count, string ValuesSha256, string Created);

    private static Key KeyOf(string name, Tensor images, IReadOnlyList<int>? labels, ResNet18Embedder embedder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        foreach (long dimension in images.shape)
        {
            BinaryPrimitives.WriteInt64LittleEndian(number, dimension);
            hash.AppendData(number);
        }
        using (Tensor contiguous = images.contiguous())
            hash.AppendData(contiguous.bytes);
        string labelsSha = "none";
        if (labels is not null)
        {
            byte[] bytes = new byte[labels.Count * 4];
            for (int i = 0; i < labels.Count; i++)
                BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), labels[i]);
            labelsSha = Hashes.Of(bytes);
        }
        return new Key(Format, name, Convert.ToHexString(hash.GetHashAndReset()), images.shape, labelsSha, embedder.ModelSha256,
            embedder.PreprocessSha256, embedder.InputSize, ResNet18Embedder.PreprocessingVersion, ResNet18Embedder.EmbeddingSize);
    }

    /// <summary>The embeddings in <paramref name="path"/> when its header matches <paramref name="key"/>; else why not.</summary>
    private static string? TryRead(string path, Key key, out Tensor? embeddings)
    {
        embeddings = null;
        Header? header;
        float[] values;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var reader = new BinaryReader(stream);
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
                return "not an embeddings file";
            int headerLength = reader.ReadInt32();
            if (headerLength <= 0 || headerLength > 1 << 20)
                return "damaged header";
            header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(headerLength));
            if (header?.Key is null)
                return "damaged header";
            if (Mismatch(header.Key, key) is { } mismatch)
                return mismatch;
            long count = header.Count;
            if (count != key.ImagesShape[0] || stream.Length - stream.Position != count * key.Dimension * sizeof(float))
                return "the file is truncated or holds another number of rows";
            values = new float[count * key.Dimension];
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return $"unreadable ({e.Message})";
        }
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("The embeddings cache stores little-endian floats.");
        if (!Hashes.Same(Hashes.Of(MemoryMarshal.AsBytes(values.AsSpan())), header.ValuesSha256))
            return "its values do not match their checksum (damaged file)";
        embeddings = tensor(values, [key.ImagesShape[0], key.Dimension]);
        return null;
    }

    private static string? Mismatch(Key cached, Key wanted)
    {
        if (cached.Format != wanted.Format) return $"format {cached.Format}, not {wanted.Format}";
        if (!Hashes.Same(cached.ImagesSha256, wanted.ImagesSha256) || !cached.ImagesShape.SequenceEqual(wanted.ImagesShape))
            return $"the images changed (SHA-256 {Short(cached.ImagesSha256)}… then, {Short(wanted.ImagesSha256)}… now)";
        if (!Hashes.Same(cached.LabelsSha256, wanted.LabelsSha256)) return "the labels changed";
        if (!Hashes.Same(cached.ModelSha256, wanted.ModelSha256)) return "ResNet18.onnx changed";
        if (!Hashes.Same(cached.PreprocessSha256, wanted.PreprocessSha256)) return "ResNetPreprocess.onnx changed";
        if (cached.InputSize != wanted.InputSize) return $"input size {cached.InputSize}, not {wanted.InputSize}";
        if (cached.Preprocessing != wanted.Preprocessing) return "the preprocessing changed";
        if (cached.Dimension != wanted.Dimension) return $"{cached.Dimension}-d, not {wanted.Dimension}-d";
        if (cached.Name != wanted.Name) return $"made for {cached.Name}";
        return null;
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;

    private static void Write(string path, Key key, Tensor embeddings)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("The embeddings cache stores little-endian floats.");
        float[] values = embeddings.data<float>().ToArray();
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        var header = new Header(key, embeddings.shape[0], Hashes.Of(bytes), DateTime.UtcNow.ToString("O"));
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, json.Length);
            stream.Write(length);
            stream.Write(json);
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        });
    }

    private static FileLock AcquireLock(string path, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FileLock.TryAcquire(path) is { } acquired)
                return acquired;
            if (clock.Elapsed > LockWait)
                throw new TimeoutException($"{path}: another process has been computing these embeddings for {LockWait.TotalHours:F0} hours.");
            Thread.Sleep(200);
        }
    }

    private static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || name.StartsWith('.'))
            throw new ArgumentException($"'{name}' is not a cache name: use letters, digits, '-', '_' and '.' (not first).", nameof(name));
    }
}
