using System;
using System.Buffers;
using System.Buffers.Text;

namespace TinyHttp.Protocol;

/// <summary>
/// ChunkedBodyEncoder writes the chunked transfer coding (RFC 9112 §7.1), the counterpart of
/// <see cref="ChunkedBodyDecoder"/>: each piece of body becomes <c>chunk-size CRLF chunk-data CRLF</c>, and
/// the body ends with <c>0 CRLF CRLF</c> (no trailer fields).
/// </summary>
internal static class ChunkedBodyEncoder
{
    /// <summary>The longest chunk header <see cref="WriteChunkHeader"/> writes: eight hex digits and CRLF.</summary>
    public const int MaxChunkHeaderLength = 10;

    /// <summary>The bytes a chunk adds around <c>size</c> bytes of data, at most.</summary>
    public const int MaxFramingOverhead = MaxChunkHeaderLength + 2;

    /// <summary>RFC 9112 §7.1: last-chunk and the empty trailer section.</summary>
    public static ReadOnlySpan<byte> LastChunk => "0\r\n\r\n"u8;

    /// <summary>The CRLF that ends a chunk's data.</summary>
    public static ReadOnlySpan<byte> ChunkEnd => "\r\n"u8;

    /// <summary>Writes <c>{size in hex}\r\n</c>; returns the bytes written (at most <see cref="MaxChunkHeaderLength"/>).</summary>
    public static int WriteChunkHeader(Span<byte> destination, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Utf8Formatter.TryFormat(size, destination, out int digits, new StandardFormat('X'));
        destination[digits] = (byte)'\r';
        destination[digits + 1] = (byte)'\n';
        return digits + 2;
    }

    /// <summary>Writes one whole chunk (header, data, CRLF) for non-empty <paramref name="data"/>; returns the bytes written.</summary>
    public static int WriteChunk(Span<byte> destination, ReadOnlySpan<byte> data)
    {
        int position = WriteChunkHeader(destination, data.Length);
        data.CopyTo(destination.Slice(position));
        position += data.Length;
        ChunkEnd.CopyTo(destination.Slice(position));
        return position + ChunkEnd.Length;
    }
}
