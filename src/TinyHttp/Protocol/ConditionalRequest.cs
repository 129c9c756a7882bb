using System;
using System.Collections.Generic;

namespace TinyHttp.Protocol;

/// <summary>What the preconditions of a request decide (RFC 9110 §13.2.2).</summary>
internal enum Precondition
{
    /// <summary>Every precondition holds (or none was sent): perform the method.</summary>
    Proceed,

    /// <summary>A GET or HEAD whose cached copy is current: answer <c>304 Not Modified</c>.</summary>
    NotModified,

    /// <summary>A precondition is false: answer <c>412 Precondition Failed</c>.</summary>
    Failed,
}

/// <summary>
/// The conditional request fields of RFC 9110 §13, evaluated in the order of §13.2.2 against a representation's strong
/// entity tag and its modification date (to the second, as HTTP-date carries it).
/// </summary>
internal static class ConditionalRequest
{
    /// <summary>
    /// Evaluates the preconditions in RFC 9110 §13.2.2's order: If-Match (or, without it, If-Unmodified-Since), then
    /// If-None-Match (or, without it and for GET or HEAD only, If-Modified-Since). A field that does not parse is ignored,
    /// as §13.1.3 and §13.1.4 require for dates; for entity-tag lists TinyHttp does the same.
    /// </summary>
    public static Precondition Evaluate(
        bool isGetOrHead,
        IReadOnlyList<string> ifMatch,
        IReadOnlyList<string> ifUnmodifiedSince,
        IReadOnlyList<string> ifNoneMatch,
        IReadOnlyList<string> ifModifiedSince,
        string entityTag,
        DateTimeOffset lastModified)
    {
        // Step 1: If-Match, strong comparison (§13.1.1).
        EntityTagMatch match = ifMatch.Count > 0 ? EntityTag.MatchList(ifMatch, entityTag, strong: true) : EntityTagMatch.Invalid;
        if (match == EntityTagMatch.NoMatch)
        {
            return Precondition.Failed;
        }
        // Step 2: If-Unmodified-Since only when If-Match is absent (§13.1.4: ignored when If-Match is present).
        if (ifMatch.Count == 0 && SingleDate(ifUnmodifiedSince) is DateTimeOffset unmodifiedSince && lastModified > unmodifiedSince)
        {
            return Precondition.Failed;
        }
        // Step 3: If-None-Match, weak comparison (§13.1.2).
        EntityTagMatch noneMatch = ifNoneMatch.Count > 0 ? EntityTag.MatchList(ifNoneMatch, entityTag, strong: false) : EntityTagMatch.Invalid;
        if (noneMatch == EntityTagMatch.Match)
        {
            return isGetOrHead ? Precondition.NotModified : Precondition.Failed;
        }
        // Step 4: If-Modified-Since only for GET and HEAD, and only when If-None-Match is absent (§13.1.3).
        if (isGetOrHead && ifNoneMatch.Count == 0 && SingleDate(ifModifiedSince) is DateTimeOffset modifiedSince && lastModified <= modifiedSince)
        {
            return Precondition.NotModified;
        }
        return Precondition.Proceed;
    }

    /// <summary>
    /// Evaluates If-Range (RFC 9110 §13.1.5): true when the range request may be served as ranges, because the field's
    /// strong entity-tag matches, or its HTTP-date equals the representation's modification date exactly. A weak tag, any
    /// other date, or a value that parses as neither is false: the whole representation is sent.
    /// </summary>
    public static bool IfRangeHolds(string value, string entityTag, DateTimeOffset lastModified)
    {
        ReadOnlySpan<char> trimmed = value.AsSpan().Trim(" \t");
        // An entity-tag starts with a DQUOTE or "W/" (§8.8.3); a date may start with 'W' too ("Wed,").
        if (trimmed.StartsWith('"') || trimmed.StartsWith("W/", StringComparison.Ordinal))
        {
            return EntityTag.StrongMatch(trimmed, entityTag);
        }
        return HttpDate.TryParse(trimmed, out DateTimeOffset date) && date == lastModified;
    }

    // §13.1.3, §13.1.4: a field with more than one member, or one that is not an HTTP-date, is ignored.
    private static DateTimeOffset? SingleDate(IReadOnlyList<string> values) =>
        values.Count == 1 && HttpDate.TryParse(values[0].AsSpan().Trim(" \t"), out DateTimeOffset date) ? date : null;
}
