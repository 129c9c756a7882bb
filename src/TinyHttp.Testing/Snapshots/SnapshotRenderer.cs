using System;
using System.Collections.Generic;
using System.Text;

namespace TinyHttp.Testing;

/// <summary>
/// SnapshotRenderer turns response bytes into snapshot text: one text line per wire line, every byte that is not
/// printable ASCII escaped (CR as <c>\r</c>, LF as <c>\n</c>, others as <c>\xHH</c>). Every wire line ends in a visible
/// <c>\n</c>, so a file whose real line endings git or an editor rewrote still means the same bytes.
/// </summary>
internal static class SnapshotRenderer
{
    internal static string Render(RawHttpResponse response, SnapshotSettings settings)
    {
        var lines = new List<string>();
        foreach (RawHttpResponse interim in response.InterimResponses)
        {
            AppendResponse(lines, interim, settings);
        }
        AppendResponse(lines, response, settings);
        return Join(lines);
    }

    internal static string Render(ReadOnlySpan<byte> bytes, SnapshotSettings settings)
    {
        var lines = new List<string>();
        while (!bytes.IsEmpty)
        {
            ParseOutcome outcome = ResponseParser.Parse(bytes, isHeadRequest: false, endOfStream: true);
            if (outcome.Status != ParseStatus.Complete)
            {
                // Not a response (or a cut-off one): shown as plain lines, with nothing scrubbed but text and patterns.
                AppendLines(lines, bytes, settings, isHead: false);
                break;
            }
            AppendResponse(lines, outcome.Response!, settings);
            bytes = bytes[outcome.Consumed..];
        }
        return Join(lines);
    }

    private static void AppendResponse(List<string> lines, RawHttpResponse response, SnapshotSettings settings)
    {
        AppendLines(lines, response.Head.Span, settings, isHead: true);
        AppendLines(lines, response.BodyAsSent.Span, settings, isHead: false);
    }

    private static void AppendLines(List<string> lines, ReadOnlySpan<byte> bytes, SnapshotSettings settings, bool isHead)
    {
        bool first = true;
        while (!bytes.IsEmpty)
        {
            int lf = bytes.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = lf < 0 ? bytes : bytes[..(lf + 1)];
            // The status line is never a field; the field lines of a head are where header scrubbers apply.
            string text = isHead && !first ? RenderFieldLine(line, settings) : ByteText.Escape(line);
            lines.Add(ScrubText(text, settings));
            bytes = bytes[line.Length..];
            first = false;
        }
    }

    private static string RenderFieldLine(ReadOnlySpan<byte> line, SnapshotSettings settings)
    {
        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return ByteText.Escape(line);
        }
        string name = Encoding.Latin1.GetString(line[..colon]);
        string? placeholder = null;
        if (settings.ScrubDateHeader && string.Equals(name, "Date", StringComparison.OrdinalIgnoreCase))
        {
            placeholder = "{Date}";
        }
        foreach ((string scrubbed, string replacement) in settings.HeaderScrubbers)
        {
            if (string.Equals(name, scrubbed, StringComparison.OrdinalIgnoreCase))
            {
                placeholder = replacement;
            }
        }
        if (placeholder is null)
        {
            return ByteText.Escape(line);
        }

        int valueStart = colon + 1;
        while (valueStart < line.Length && line[valueStart] is (byte)' ' or (byte)'\t')
        {
            valueStart++;
        }
        int valueEnd = line.Length;
        while (valueEnd > valueStart && line[valueEnd - 1] is (byte)'\r' or (byte)'\n' or (byte)' ' or (byte)'\t')
        {
            valueEnd--;
        }
        var text = new StringBuilder();
        ByteText.Append(text, line[..valueStart]);
        text.Append(placeholder);
        ByteText.Append(text, line[valueEnd..]);
        return text.ToString();
    }

    private static string ScrubText(string line, SnapshotSettings settings)
    {
        foreach ((string value, string placeholder) in settings.TextScrubbers)
        {
            line = line.Replace(value, placeholder, StringComparison.Ordinal);
        }
        foreach ((System.Text.RegularExpressions.Regex pattern, string placeholder) in settings.PatternScrubbers)
        {
            line = pattern.Replace(line, placeholder);
        }
        return line;
    }

    private static string Join(List<string> lines)
    {
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            text.Append(line).Append('\n');
        }
        return text.ToString();
    }
}
