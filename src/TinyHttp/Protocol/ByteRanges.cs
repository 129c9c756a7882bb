using System;
using System.Collections.Generic;

namespace TinyHttp.Protocol;

/// <summary>RequestedRange is one satisfiable byte range of a representation: <see cref="Length"/> bytes from <see cref="Start"/>.</summary>
internal readonly record struct RequestedRange(long Start, long Length)
{
    /// <summary>The last byte's position, as Content-Range writes it (RFC 9110 §14.4).</summary>
    public long Last => Start + Length - 1;
}

/// <summary>What a Range field asks of a representation.</summary>
internal enum RangeRequest
{
    /// <summary>The field is ignored (unknown unit, invalid syntax, too many ranges): send the whole representation.</summary>
    Ignored,

    /// <summary>At least one range is satisfiable: send them (206).</summary>
    Satisfiable,

    /// <summary>No range is satisfiable: 416 with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}

/// <summary>
/// The Range field of RFC 9110 §14.2 for the <c>bytes</c> unit (§14.1.2):
/// <c>ranges-specifier = range-unit "=" range-set</c>, <c>range-set = 1#range-spec</c>,
/// <c>range-spec = int-range / suffix-range / other-range</c>, <c>int-range = first-pos "-" [ last-pos ]</c>,
/// <c>suffix-range = "-" suffix-length</c>.
/// </summary>
internal static class ByteRanges
{
    /// <summary>
    /// Parses <paramref name="value"/> against a representation of <paramref name="length"/> bytes and fills
    /// <paramref name="ranges"/> with the satisfiable ranges in the order asked. Overlapping ranges are coalesced
    /// (§14.2 allows it; it stops a client from asking for the same bytes many times over). More than
    /// <paramref name="maxRanges"/> ranges, or any syntax error, and the field is ignored.
    /// </summary>
    public static RangeRequest Parse(ReadOnlySpan<char> value, long length, int maxRanges, List<RequestedRange> ranges)
    {
        ranges.Clear();
        int equals = value.IndexOf('=');
        // §14.1: range units are compared case-insensitively; only bytes is known, and other units are ignored.
        if (equals < 0 || !value[..equals].Trim(" \t").Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            return RangeRequest.Ignored;
        }
        ReadOnlySpan<char> rest = value[(equals + 1)..];
        int specs = 0;
        while (true)
        {
            rest = rest.TrimStart(" \t,");
            if (rest.IsEmpty)
            {
                break;
            }
            int end = rest.IndexOf(',');
            ReadOnlySpan<char> spec = (end < 0 ? rest : rest[..end]).TrimEnd(" \t");
            rest = end < 0 ? default : rest[end..];
            if (++specs > maxRanges || !TryParseSpec(spec, length, out RequestedRange range, out bool satisfiable))
            {
                ranges.Clear();
                return RangeRequest.Ignored;
            }
            if (satisfiable)
            {
                ranges.Add(range);
            }
        }
        if (specs == 0)
        {
            return RangeRequest.Ignored;
        }
        if (ranges.Count == 0)
        {
            return RangeRequest.Unsatisfiable;
        }
        Coalesce(ranges);
        return RangeRequest.Satisfiable;
    }

    /// <summary>The Content-Range value of a part or a 206 (RFC 9110 §14.4): <c>bytes 0-4/26</c>.</summary>
    public static string ContentRange(RequestedRange range, long length) => $"bytes {range.Start}-{range.Last}/{length}";

    /// <summary>The Content-Range value of a 416 (RFC 9110 §15.5.17): <c>bytes */26</c>.</summary>
    public static string UnsatisfiedRange(long length) => $"bytes */{length}";

    private static bool TryParseSpec(ReadOnlySpan<char> spec, long length, out RequestedRange range, out bool satisfiable)
    {
        range = default;
        satisfiable = false;
        int dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return false;
        }
        ReadOnlySpan<char> first = spec[..dash];
        ReadOnlySpan<char> last = spec[(dash + 1)..];
        if (first.IsEmpty)
        {
            // suffix-range: the last N bytes; unsatisfiable when N is 0 or the representation is empty (§14.1.3).
            if (!TryParseDigits(last, out long suffix))
            {
                return false;
            }
            satisfiable = suffix > 0 && length > 0;
            long count = Math.Min(suffix, length);
            range = new RequestedRange(length - count, count);
            return true;
        }
        if (!TryParseDigits(first, out long start))
        {
            return false;
        }
        long lastPos = long.MaxValue;
        if (!last.IsEmpty && !TryParseDigits(last, out lastPos))
        {
            return false;
        }
        if (lastPos < start)
        {
            // §14.1.1: an int-range with last-pos below first-pos is invalid, which makes the whole set invalid.
            return false;
        }
        satisfiable = start < length;
        if (satisfiable)
        {
            range = new RequestedRange(start, Math.Min(lastPos, length - 1) - start + 1);
        }
        return true;
    }

    // 1*DIGIT; a number too large for a long saturates, since it is then beyond any representation's length.
    private static bool TryParseDigits(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
            value = value > (long.MaxValue - 9) / 10 ? long.MaxValue : value * 10 + (c - '0');
        }
        return true;
    }

    // Overlapping or touching ranges become one, sorted; ranges that do not overlap keep the order the client asked for.
    private static void Coalesce(List<RequestedRange> ranges)
    {
        if (ranges.Count < 2 || !AnyOverlap(ranges))
        {
            return;
        }
        ranges.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        int kept = 0;
        for (int i = 1; i < ranges.Count; i++)
        {
            RequestedRange current = ranges[kept];
            RequestedRange next = ranges[i];
            if (next.Start <= current.Last + 1)
            {
                ranges[kept] = new RequestedRange(current.Start, Math.Max(current.Last, next.Last) - current.Start + 1);
            }
            else
            {
                ranges[++kept] = next;
            }
        }
        ranges.RemoveRange(kept + 1, ranges.Count - kept - 1);
    }

    private static bool AnyOverlap(List<RequestedRange> ranges)
    {
        for (int i = 0; i < ranges.Count; i++)
        {
            for (int j = i + 1; j < ranges.Count; j++)
            {
                if (ranges[i].Start <= ranges[j].Last + 1 && ranges[j].Start <= ranges[i].Last + 1)
                {
                    return true;
                }
            }
        }
        return false;
    }
}
