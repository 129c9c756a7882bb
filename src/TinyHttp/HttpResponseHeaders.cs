using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using TinyHttp.Protocol;

namespace TinyHttp;

/// <summary>
/// HttpResponseHeaders are the fields a handler sends, in the order it adds them. Names match
/// case-insensitively. A name that is not a token, or a value with a control character (CR, LF, NUL…),
/// throws <see cref="ArgumentException"/> at once, so a handler cannot inject a header or split a response.
/// </summary>
/// <remarks>
/// Content-Length, Transfer-Encoding and Connection are the server's: it writes them from its own
/// framing decision. The Content-Length field here is <see cref="HttpResponse.ContentLength"/>: one value seen two ways
/// (setting either sets both; the value must be a non-negative integer);
/// setting Connection to <c>close</c> closes the connection after the response. Date is added unless set here.
/// Changing fields after <see cref="HttpResponse.HasStarted"/> throws <see cref="InvalidOperationException"/>.
/// </remarks>
public sealed class HttpResponseHeaders : IReadOnlyCollection<KeyValuePair<string, string>>
{
    private readonly HttpResponse _response;
    private ResponseField[] _fields = new ResponseField[8];
    private int _count;

    internal HttpResponseHeaders(HttpResponse response) => _response = response;

    /// <summary>The number of fields, counting repeats and Content-Length.</summary>
    public int Count => _count + (_response.ContentLength is null ? 0 : 1);

    internal ReadOnlySpan<ResponseField> Fields => _fields.AsSpan(0, _count);

    /// <summary>Gets the first value of <paramref name="name"/> or null; setting replaces every field of that name (null removes them).</summary>
    public string? this[string name]
    {
        get => TryGetValue(name, out string? value) ? value : null;
        set
        {
            if (value is null)
            {
                Remove(name);
            }
            else
            {
                Set(name, value);
            }
        }
    }

    /// <summary>Adds a field, keeping any existing fields of the same name (for example a second Set-Cookie).</summary>
    /// <exception cref="InvalidOperationException"><paramref name="name"/> is Content-Length and one is already set (use <see cref="Set"/>).</exception>
    public void Add(string name, string value)
    {
        Validate(name, value);
        if (IsContentLength(name))
        {
            if (_response.ContentLength is not null)
            {
                throw new InvalidOperationException("A response has one Content-Length; use Set or HttpResponse.ContentLength to change it.");
            }
            _response.ContentLength = ParseContentLength(value);
            return;
        }
        Append(name, value);
    }

    /// <summary>Replaces every field named <paramref name="name"/> with one field holding <paramref name="value"/>.</summary>
    public void Set(string name, string value)
    {
        Validate(name, value);
        if (IsContentLength(name))
        {
            _response.ContentLength = ParseContentLength(value);
            return;
        }
        int index = IndexOf(name);
        if (index < 0)
        {
            Append(name, value);
            return;
        }
        _fields[index] = new ResponseField(name, value);
        RemoveFrom(name, index + 1);
    }

    /// <summary>Removes every field named <paramref name="name"/>.</summary>
    /// <returns>True when at least one field was removed.</returns>
    public bool Remove(string name)
    {
        ThrowIfStarted();
        if (IsContentLength(name))
        {
            bool had = _response.ContentLength is not null;
            _response.ContentLength = null;
            return had;
        }
        int before = _count;
        RemoveFrom(name, 0);
        return _count != before;
    }

    /// <summary>Finds the first field named <paramref name="name"/> (case-insensitive).</summary>
    /// <returns>True when there is such a field.</returns>
    public bool TryGetValue(string name, out string? value)
    {
        if (IsContentLength(name))
        {
            value = _response.ContentLength?.ToString(CultureInfo.InvariantCulture);
            return value is not null;
        }
        int index = IndexOf(name);
        value = index < 0 ? null : _fields[index].Value;
        return index >= 0;
    }

    /// <summary>True when a field named <paramref name="name"/> is set.</summary>
    public bool Contains(string name) => IsContentLength(name) ? _response.ContentLength is not null : IndexOf(name) >= 0;

    /// <summary>Removes every field.</summary>
    public void Clear()
    {
        ThrowIfStarted();
        Array.Clear(_fields, 0, _count);
        _count = 0;
        _response.ContentLength = null;
    }

    /// <summary>Enumerates the fields in the order they were added.</summary>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return new KeyValuePair<string, string>(_fields[i].Name, _fields[i].Value);
        }
        if (_response.ContentLength is long length)
        {
            yield return new KeyValuePair<string, string>("Content-Length", length.ToString(CultureInfo.InvariantCulture));
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Reset()
    {
        // A loop rather than Array.Clear: there are a few fields at most, and this runs twice per request.
        for (int i = 0; i < _count; i++)
        {
            _fields[i] = default;
        }
        _count = 0;
    }

    private void Append(string name, string value)
    {
        if (_count == _fields.Length)
        {
            Array.Resize(ref _fields, _fields.Length * 2);
        }
        _fields[_count++] = new ResponseField(name, value);
    }

    private int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int i = 0; i < _count; i++)
        {
            if (string.Equals(_fields[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    private void RemoveFrom(string name, int start)
    {
        int write = start;
        for (int read = start; read < _count; read++)
        {
            if (!string.Equals(_fields[read].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                _fields[write++] = _fields[read];
            }
        }
        Array.Clear(_fields, write, _count - write);
        _count = write;
    }

    private void Validate(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfStarted();
        if (!ValidNames.Contains(name))
        {
            if (!HttpCharacters.IsToken(name))
            {
                throw new ArgumentException($"'{name}' is not a valid header field name: use letters, digits and !#$%&'*+-.^_`|~ only.", nameof(name));
            }
            ValidNames.Add(name);
        }
        if (!ValidValues.Contains(value))
        {
            if (!HttpCharacters.IsValidFieldValue(value))
            {
                throw new ArgumentException($"The value for header '{name}' contains a control character (CR, LF, NUL or another); such a value could split the response.", nameof(value));
            }
            ValidValues.Add(value);
        }

    }

    private static bool IsContentLength(string name) => string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase);

    private static long ParseContentLength(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long length)
            ? length
            : throw new ArgumentException($"Content-Length must be a non-negative integer, not '{value}'; HttpResponse.ContentLength sets it from a number.", nameof(value));

    private void ThrowIfStarted()
    {
        if (_response.HasStarted)
        {
            throw new InvalidOperationException("The response has started: headers can no longer change. Set them before writing or flushing the body.");
        }
    }

    /// <summary>
    /// Names and values that passed validation lately. A handler sets the same headers from the same string instances
    /// (literals, cached values) on every request, and strings do not change, so one seen valid once is valid again
    /// without another scan. Small tables shared by all responses: a slot holds the last string of its hash, and a race
    /// between threads costs only a repeated scan.
    /// </summary>
    private sealed class ValidatedStrings
    {
        private const int Slots = 64;
        // Long values are scanned each time rather than kept alive here.
        private const int MaxCachedLength = 128;

        private readonly string?[] _slots = new string?[Slots];

        public bool Contains(string value) => ReferenceEquals(_slots[Slot(value)], value);

        public void Add(string value)
        {
            if (value.Length <= MaxCachedLength)
            {
                _slots[Slot(value)] = value;
            }
        }

        private static int Slot(string value) => (value.Length == 0 ? 0 : value.Length * 7 + value[^1]) & (Slots - 1);
    }

    private static readonly ValidatedStrings ValidNames = new();
    private static readonly ValidatedStrings ValidValues = new();
}
