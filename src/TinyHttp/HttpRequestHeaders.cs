using System;
using System.Collections;
using System.Collections.Generic;
using System.Text;
using TinyHttp.Protocol;

namespace TinyHttp;

/// <summary>
/// HttpRequestHeaders are a request's header fields in the order they arrived. Names match
/// case-insensitively; a repeated field is kept as separate entries. Values are trimmed of leading and
/// trailing whitespace. Strings are created on first access, so headers nobody reads cost nothing.
/// </summary>
public sealed class HttpRequestHeaders : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly HttpRequest _request;
    // Strings made on first access, per field index; allocated only when a handler reads headers.
    private string?[] _names = Array.Empty<string?>();
    private string?[] _values = Array.Empty<string?>();

    internal HttpRequestHeaders(HttpRequest request) => _request = request;

    /// <summary>The number of field lines, counting repeats.</summary>
    public int Count => _request.Head.HeaderCount;

    /// <summary>The field at <paramref name="index"/> in wire order.</summary>
    public KeyValuePair<string, string> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            return new KeyValuePair<string, string>(NameAt(index), ValueAt(index));
        }
    }

    /// <summary>The value of the first field named <paramref name="name"/>, or null when there is none.</summary>
    public string? this[string name] => TryGetValue(name, out string? value) ? value : null;

    /// <summary>Finds the first field named <paramref name="name"/> (case-insensitive).</summary>
    /// <returns>True when the request has such a field.</returns>
    public bool TryGetValue(string name, out string? value)
    {
        int index = IndexOf(name, 0);
        value = index < 0 ? null : ValueAt(index);
        return index >= 0;
    }

    /// <summary>True when the request has a field named <paramref name="name"/>.</summary>
    public bool Contains(string name) => IndexOf(name, 0) >= 0;

    /// <summary>The values of every field named <paramref name="name"/>, in wire order; empty when there is none.</summary>
    public IReadOnlyList<string> GetValues(string name)
    {
        List<string>? values = null;
        for (int index = IndexOf(name, 0); index >= 0; index = IndexOf(name, index + 1))
        {
            (values ??= new List<string>(2)).Add(ValueAt(index));
        }
        return values ?? (IReadOnlyList<string>)Array.Empty<string>();
    }

    /// <summary>Enumerates the fields in wire order.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Reset()
    {
        if (_names.Length == 0)
        {
            // No handler has read a header by name yet: there is nothing to forget.
            return;
        }
        int count = Math.Min(Count, _names.Length);
        Array.Clear(_names, 0, count);
        Array.Clear(_values, 0, count);
    }

    private int IndexOf(string name, int start)
    {
        ArgumentNullException.ThrowIfNull(name);
        ReadOnlySpan<byte> bytes = _request.HeadBytes;
        ReadOnlySpan<HeaderField> fields = _request.Head.Headers;
        for (int i = start; i < fields.Length; i++)
        {
            if (HttpCharacters.EqualsIgnoreCase(fields[i].Name.Of(bytes), name))
            {
                return i;
            }
        }
        return -1;
    }

    private string NameAt(int index)
    {
        EnsureCapacity();
        return _names[index] ??= Encoding.ASCII.GetString(_request.Head.Headers[index].Name.Of(_request.HeadBytes));
    }

    private string ValueAt(int index)
    {
        EnsureCapacity();
        // Field values are octets (RFC 9110 §5.5); Latin-1 maps each to one char, so nothing is lost or replaced.
        return _values[index] ??= Encoding.Latin1.GetString(_request.Head.Headers[index].Value.Of(_request.HeadBytes));
    }

    private void EnsureCapacity()
    {
        if (_names.Length < Count)
        {
            Array.Resize(ref _names, Math.Max(Count, 16));
            Array.Resize(ref _values, Math.Max(Count, 16));
        }
    }

    /// <summary>Enumerates request fields in wire order without allocating an enumerator.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, string>>
    {
        private readonly HttpRequestHeaders _headers;
        private int _index;

        internal Enumerator(HttpRequestHeaders headers)
        {
            _headers = headers;
            _index = -1;
        }

        /// <inheritdoc/>
        public readonly KeyValuePair<string, string> Current => _headers[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc/>
        public bool MoveNext() => ++_index < _headers.Count;

        /// <inheritdoc/>
        public void Reset() => _index = -1;

        /// <inheritdoc/>
        public readonly void Dispose()
        {
        }
    }
}
