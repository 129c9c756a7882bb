using System;

namespace TinyHttp.Protocol;

/// <summary>
/// The last response head written, as bytes, with what it was made from. Most handlers answer with the same status and
/// the same header strings (literals, cached values) request after request, so the next head is usually the same bytes:
/// found by comparing references and copied whole instead of formatted again. The Date header is part of the head, so
/// the cached bytes are good for the second they were made in.
/// </summary>
internal sealed class ResponseHeadCache
{
    private const int MaxFields = 4;
    private const int MaxLength = 256;

    private readonly byte[] _head = new byte[MaxLength];
    private readonly ResponseField[] _fields = new ResponseField[MaxFields];
    private int _length;
    private int _fieldCount;
    private int _statusCode;
    private string? _reasonPhrase;
    private ResponseBodyFraming _framing;
    private long _contentLength;
    private ConnectionOption _connection;
    private byte[]? _date;

    /// <summary>The bytes of a head made from exactly these parts this second, or empty when there is none.</summary>
    public ReadOnlySpan<byte> Find(int statusCode, string? reasonPhrase, ReadOnlySpan<ResponseField> fields,
        ResponseBodyFraming framing, long contentLength, ConnectionOption connection)
    {
        if (_length == 0 || statusCode != _statusCode || framing != _framing || contentLength != _contentLength
            || connection != _connection || fields.Length != _fieldCount || !ReferenceEquals(reasonPhrase, _reasonPhrase)
            || !ReferenceEquals(_date, HttpDate.CurrentArray))
        {
            return default;
        }
        for (int i = 0; i < fields.Length; i++)
        {
            if (!ReferenceEquals(fields[i].Name, _fields[i].Name) || !ReferenceEquals(fields[i].Value, _fields[i].Value))
            {
                return default;
            }
        }
        return _head.AsSpan(0, _length);
    }

    /// <summary>Writes the head as <see cref="ResponseHeadWriter.Write"/> does, and keeps its bytes for <see cref="Find"/>.</summary>
    public int Write(Span<byte> destination, int statusCode, string? reasonPhrase, ReadOnlySpan<ResponseField> fields,
        ResponseBodyFraming framing, long contentLength, ConnectionOption connection)
    {
        byte[] date = HttpDate.CurrentArray;
        int length = ResponseHeadWriter.Write(destination, statusCode, reasonPhrase, fields, framing, contentLength, connection);
        _length = 0;
        // Kept only when the second did not change while the head was written, so the bytes match the date they are filed under.
        if (length <= MaxLength && fields.Length <= MaxFields && ReferenceEquals(date, HttpDate.CurrentArray))
        {
            destination.Slice(0, length).CopyTo(_head);
            fields.CopyTo(_fields);
            _fields.AsSpan(fields.Length).Clear();
            _fieldCount = fields.Length;
            _statusCode = statusCode;
            _reasonPhrase = reasonPhrase;
            _framing = framing;
            _contentLength = contentLength;
            _connection = connection;
            _date = date;
            _length = length;
        }
        return length;
    }
}
