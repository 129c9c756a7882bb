using System;
using System.Collections.Generic;

namespace TinyHttp.Protocol;

/// <summary>How an <c>If-Match</c> or <c>If-None-Match</c> field's list relates to the current entity tag.</summary>
internal enum EntityTagMatch
{
    /// <summary>No member of the list matches.</summary>
    NoMatch,

    /// <summary>A member (or <c>*</c>) matches.</summary>
    Match,

    /// <summary>The field is not a valid list of entity tags; the precondition is ignored.</summary>
    Invalid,
}

/// <summary>
/// Entity tags (RFC 9110 §8.8.3): <c>entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE</c>, with etagc = %x21 / %x23-7E / obs-text,
/// and the two comparison functions of §8.8.3.2.
/// </summary>
internal static class EntityTag
{
    /// <summary>True when <paramref name="tag"/> is one syntactically valid entity-tag, weak or strong.</summary>
    public static bool IsValid(ReadOnlySpan<char> tag) => TryRead(tag, out _, out _, out int length) && length == tag.Length;

    /// <summary>True when <paramref name="tag"/> is a strong entity-tag (no <c>W/</c> prefix).</summary>
    public static bool IsStrong(ReadOnlySpan<char> tag) => IsValid(tag) && tag[0] == '"';

    /// <summary>
    /// Matches the members of every <paramref name="fieldValues"/> line (an <c>If-Match</c> or <c>If-None-Match</c>,
    /// <c>"*" / #entity-tag</c>) against <paramref name="current"/>, a strong tag of the selected representation.
    /// <paramref name="strong"/> picks strong comparison (If-Match, §13.1.1) or weak comparison (If-None-Match, §13.1.2).
    /// </summary>
    public static EntityTagMatch MatchList(IReadOnlyList<string> fieldValues, string current, bool strong)
    {
        ReadOnlySpan<char> currentOpaque = current.AsSpan(1, current.Length - 2);
        bool matched = false;
        foreach (string line in fieldValues)
        {
            ReadOnlySpan<char> rest = line.AsSpan().Trim(" \t");
            if (rest.SequenceEqual("*"))
            {
                // "*" matches any current representation, and there is one (§13.1.1, §13.1.2).
                matched = true;
                continue;
            }
            // RFC 9110 §5.6.1: a recipient accepts empty list elements, so ", ," is an empty list, not an error.
            while (true)
            {
                rest = rest.TrimStart(" \t,");
                if (rest.IsEmpty)
                {
                    break;
                }
                if (!TryRead(rest, out bool weak, out Range opaque, out int length))
                {
                    return EntityTagMatch.Invalid;
                }
                if ((!strong || !weak) && rest[opaque].SequenceEqual(currentOpaque))
                {
                    matched = true;
                }
                rest = rest.Slice(length);
                ReadOnlySpan<char> after = rest.TrimStart(" \t");
                if (!after.IsEmpty && after[0] != ',')
                {
                    return EntityTagMatch.Invalid;
                }
                rest = after;
            }
        }
        return matched ? EntityTagMatch.Match : EntityTagMatch.NoMatch;
    }

    /// <summary>
    /// The If-Range comparison (RFC 9110 §13.1.5): true only when <paramref name="value"/> is one strong entity-tag that
    /// matches <paramref name="current"/> strongly; a weak tag never does.
    /// </summary>
    public static bool StrongMatch(ReadOnlySpan<char> value, string current) =>
        IsValid(value) && value[0] == '"' && value.SequenceEqual(current);

    // Reads one entity-tag at the start of text: whether it is weak, where its opaque-tag (between the quotes) lies, and
    // its whole length.
    private static bool TryRead(ReadOnlySpan<char> text, out bool weak, out Range opaque, out int length)
    {
        weak = false;
        opaque = default;
        length = 0;
        int i = 0;
        if (text.StartsWith("W/", StringComparison.Ordinal))
        {
            weak = true;
            i = 2;
        }
        if (i >= text.Length || text[i] != '"')
        {
            return false;
        }
        int start = ++i;
        while (i < text.Length && text[i] != '"')
        {
            char c = text[i];
            if (c < 0x21 || c == 0x7F || c > 0xFF)
            {
                return false;
            }
            i++;
        }
        if (i >= text.Length)
        {
            return false;
        }
        opaque = start..i;
        length = i + 1;
        return true;
    }
}
