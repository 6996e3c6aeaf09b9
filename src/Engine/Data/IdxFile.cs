using System.Buffers.Binary;
using System.IO.Compression;

namespace CudaNet.Data;

/// <summary>The contents of one IDX file of unsigned bytes: its dimensions and its data, row-major.</summary>
/// <param name="Dimensions">Sizes, outermost first (e.g. [count, 28, 28] for images, [count] for labels).</param>
/// <param name="Data">The bytes, product(Dimensions) of them.</param>
public sealed record IdxFile(int[] Dimensions, byte[] Data)
{
    /// <summary>Magic number of an image file: unsigned bytes, three dimensions.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a label file: unsigned bytes, one dimension.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>No IDX file CudaNet reads holds more than this many bytes of data (the full Fashion-MNIST
    /// training images are 47 MB); a header claiming more is treated as corrupt before anything is allocated.</summary>
    public const long MaxDataBytes = 1L << 30;

    /// <summary>
    /// Reads an IDX file (raw, or gzip-compressed when it starts with the gzip magic) and validates it fully:
    /// magic (two zero bytes, type 0x08 = unsigned byte, the expected dimension count), positive big-endian
    /// sizes, data neither truncated nor followed by extra bytes. Memory grows only with data actually read.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid IDX file of that shape; the message
    /// names the file and the defect.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxFile Read(string path, int expectedMagic)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = File.OpenRead(path);
        return Read(file, path, expectedMagic);
    }

    /// <summary>Reads and validates an IDX stream; <paramref name="name"/> appears in error messages.</summary>
    public static IdxFile Read(Stream stream, string name, int expectedMagic)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var input = OpenMaybeGzip(stream);
        try
        {
            return Parse(input, name, expectedMagic);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: corrupt gzip stream ({e.Message})", e);
        }
    }

    private static Stream OpenMaybeGzip(Stream stream)
    {
        var buffered = new BufferedStream(stream, 1 << 16);
        Span<byte> head = stackalloc byte[2];
        int read = buffered.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        buffered.Seek(-read, SeekOrigin.Current);
        return read == 2 && head[0] == 0x1f && head[1] == 0x8b
            ? new GZipStream(buffered, CompressionMode.Decompress)
            : buffered;
    }

    private static IdxFile Parse(Stream input, string name, int expectedMagic)
    {
        Span<byte> word = stackalloc byte[4];
        if (input.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
            throw new InvalidDataException($"{name}: truncated header (fewer than 4 bytes)");
        int magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (word[0] != 0 || word[1] != 0)
            throw new InvalidDataException($"{name}: not an IDX file (magic 0x{magic:X8} does not start with two zero bytes)");
        if (word[2] != 0x08)
            throw new InvalidDataException($"{name}: IDX element type 0x{word[2]:X2} is not supported (only 0x08, unsigned byte)");
        int expectedDims = expectedMagic & 0xFF;
        if (magic != expectedMagic)
            throw new InvalidDataException($"{name}: magic 0x{magic:X8} has {word[3]} dimension(s) but 0x{expectedMagic:X8} " +
                                           $"({expectedDims} dimension(s)) was expected");

        var dims = new int[expectedDims];
        long length = 1;
        for (int d = 0; d < expectedDims; d++)
        {
            if (input.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
                throw new InvalidDataException($"{name}: truncated header (size of dimension {d} missing)");
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (dims[d] <= 0) throw new InvalidDataException($"{name}: dimension {d} has size {dims[d]} (must be > 0)");
            length *= dims[d];
            if (length > MaxDataBytes)
                throw new InvalidDataException($"{name}: sizes [{string.Join(", ", dims.Take(d + 1))}] claim more than {MaxDataBytes} bytes");
        }

        var data = ReadExactly(input, (int)length, name);
        if (input.ReadByte() != -1)
            throw new InvalidDataException($"{name}: unexpected data after the {length} bytes the header announces");
        return new IdxFile(dims, data);
    }

    private static byte[] ReadExactly(Stream input, int length, string name)
    {
        // Grow with the data actually present, so a lying header cannot make us allocate its claim up front.
        var data = new byte[Math.Min(length, 1 << 20)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == data.Length) Array.Resize(ref data, (int)Math.Min(length, 2L * data.Length));
            int read = input.Read(data, filled, data.Length - filled);
            if (read == 0)
                throw new InvalidDataException($"{name}: truncated data ({filled} of {length} bytes present)");
            filled += read;
        }
        return data;
    }
}
