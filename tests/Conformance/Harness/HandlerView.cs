using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace TinyHttp.Conformance;

/// <summary>
/// HandlerView is the text the conformance handler (on TinyHttp and on Kestrel alike) sends back to say what it
/// saw: one <c>field=value</c> line per request-line part, one <c>header=Name: value</c> line per field value in the
/// order the server lists them, and the body. Every char outside printable ASCII is escaped, so the text is ASCII
/// and shows exactly which chars (for fields) or bytes (for the body) the handler was given.
/// </summary>
public static class HandlerView
{
    /// <summary>The request method.</summary>
    public const string Method = "method";

    /// <summary>The request-target as sent.</summary>
    public const string Target = "target";

    /// <summary>The path, still percent-encoded, as the server's API gives it.</summary>
    public const string Path = "path";

    /// <summary>The query, without its <c>?</c>.</summary>
    public const string Query = "query";

    /// <summary>The protocol version, <c>HTTP/1.1</c> or <c>HTTP/1.0</c>.</summary>
    public const string Version = "version";

    /// <summary>One header field value.</summary>
    public const string Header = "header";

    /// <summary>The body bytes.</summary>
    public const string Body = "body";

    /// <summary>Formats what the handler saw.</summary>
    public static string Format(
        string method,
        string target,
        string path,
        string query,
        string version,
        IEnumerable<KeyValuePair<string, string>> headers,
        ReadOnlySpan<byte> body)
    {
        var text = new StringBuilder();
        Line(Method, Escape(method));
        Line(Target, Escape(target));
        Line(Path, Escape(path));
        Line(Query, Escape(query));
        Line(Version, Escape(version));
        foreach (KeyValuePair<string, string> header in headers)
        {
            Line(Header, Escape(header.Key) + ": " + Escape(header.Value));
        }
        Line(Body, EscapeBytes(body));
        return text.ToString();

        void Line(string field, string value) => text.Append(field).Append('=').Append(value).Append('\n');
    }

    /// <summary>Parses a <see cref="Format"/> text back into its lines, in order.</summary>
    public static IReadOnlyList<(string Field, string Value)> Parse(string text)
    {
        var lines = new List<(string, string)>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                lines.Add((line[..equals], line[(equals + 1)..]));
            }
        }
        return lines;
    }

    /// <summary>The value of <paramref name="field"/> in parsed lines, or null.</summary>
    public static string? Get(IReadOnlyList<(string Field, string Value)> lines, string field)
    {
        foreach ((string f, string value) in lines)
        {
            if (f == field)
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>The (escaped) values of request field <paramref name="name"/> in parsed lines, in order.</summary>
    public static List<string> HeaderValues(IReadOnlyList<(string Field, string Value)> lines, string name)
    {
        var values = new List<string>();
        string prefix = Escape(name) + ": ";
        foreach ((string field, string value) in lines)
        {
            if (field == Header && value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                values.Add(value[prefix.Length..]);
            }
        }
        return values;
    }

    /// <summary>Escapes chars: printable ASCII as is; <c>\r \n \t \\</c>; <c>\xHH</c> up to U+00FF; <c>\u{HHHH}</c> above.</summary>
    public static string Escape(string chars)
    {
        var text = new StringBuilder(chars.Length);
        foreach (char c in chars)
        {
            Append(text, c);
        }
        return text.ToString();
    }

    /// <summary>Escapes bytes as <see cref="Escape"/> escapes chars up to U+00FF.</summary>
    public static string EscapeBytes(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            Append(text, (char)b);
        }
        return text.ToString();
    }

    private static void Append(StringBuilder text, char c)
    {
        switch (c)
        {
            case '\r':
                text.Append("\\r");
                break;
            case '\n':
                text.Append("\\n");
                break;
            case '\t':
                text.Append("\\t");
                break;
            case '\\':
                text.Append("\\\\");
                break;
            case >= ' ' and < '\x7F':
                text.Append(c);
                break;
            case <= '\xFF':
                text.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                break;
            default:
                text.Append("\\u{").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('}');
                break;
        }
    }
}
