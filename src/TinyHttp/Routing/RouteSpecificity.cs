using System;
using System.Text;

namespace TinyHttp.Routing;

/// <summary>How the requests two patterns match relate: the sets are equal, one holds the other, they share none, or some.</summary>
internal enum RouteRelation : byte
{
    /// <summary>Both match the same requests.</summary>
    Equivalent,

    /// <summary>The first matches every request the second does, and more.</summary>
    MoreGeneral,

    /// <summary>The second matches every request the first does, and more.</summary>
    MoreSpecific,

    /// <summary>No request matches both.</summary>
    Disjoint,

    /// <summary>Some request matches both, but each matches one the other does not.</summary>
    Overlaps,
}

/// <summary>
/// The precedence rule of Go 1.22's <c>ServeMux</c>: of two patterns that match a request, the more specific wins, one
/// being more specific when it matches a strict subset of the other's requests (by method and path together). Two
/// patterns for the same host where neither is more specific but some request matches both conflict. A pattern with a
/// host beats one without, whatever their paths: the host is compared first.
/// </summary>
internal static class RouteSpecificity
{
    /// <summary>True when no precedence decides between <paramref name="first"/> and <paramref name="second"/> for some request.</summary>
    public static bool Conflicts(RoutePattern first, RoutePattern second) =>
        string.Equals(first.Host, second.Host, StringComparison.OrdinalIgnoreCase)
        && Compare(first, second) is RouteRelation.Equivalent or RouteRelation.Overlaps;

    /// <summary>How the requests <paramref name="first"/> matches relate to those <paramref name="second"/> matches, hosts aside.</summary>
    public static RouteRelation Compare(RoutePattern first, RoutePattern second)
    {
        RouteRelation methods = CompareMethods(first.Method, second.Method);
        return methods == RouteRelation.Disjoint ? RouteRelation.Disjoint : Combine(methods, ComparePaths(first.Segments, second.Segments));
    }

    /// <summary>No method answers every method; GET answers HEAD too; any other method only itself.</summary>
    public static RouteRelation CompareMethods(string? first, string? second)
    {
        if (first == second)
        {
            return RouteRelation.Equivalent;
        }
        if (first is null)
        {
            return RouteRelation.MoreGeneral;
        }
        if (second is null)
        {
            return RouteRelation.MoreSpecific;
        }
        if (first == "GET" && second == "HEAD")
        {
            return RouteRelation.MoreGeneral;
        }
        if (first == "HEAD" && second == "GET")
        {
            return RouteRelation.MoreSpecific;
        }
        return RouteRelation.Disjoint;
    }

    /// <summary>Compares two paths piece by piece; a rest that outlasts the other path is more general than what it absorbs.</summary>
    public static RouteRelation ComparePaths(RouteSegment[] first, RouteSegment[] second)
    {
        bool firstRest = first[^1].Kind == RouteSegmentKind.Rest;
        bool secondRest = second[^1].Kind == RouteSegmentKind.Rest;
        if (first.Length != second.Length && !firstRest && !secondRest)
        {
            return RouteRelation.Disjoint;
        }
        RouteRelation relation = RouteRelation.Equivalent;
        int shared = Math.Min(first.Length, second.Length);
        for (int i = 0; i < shared; i++)
        {
            relation = Combine(relation, CompareSegments(first[i], second[i]));
            if (relation == RouteRelation.Disjoint)
            {
                return relation;
            }
        }
        if (first.Length == second.Length)
        {
            return relation;
        }
        if (first.Length < second.Length && firstRest)
        {
            return Combine(relation, RouteRelation.MoreGeneral);
        }
        if (second.Length < first.Length && secondRest)
        {
            return Combine(relation, RouteRelation.MoreSpecific);
        }
        return RouteRelation.Disjoint;
    }

    /// <summary>Combines the relation of one part (method, or the segments so far) with the next.</summary>
    public static RouteRelation Combine(RouteRelation first, RouteRelation second) => first switch
    {
        RouteRelation.Equivalent => second,
        RouteRelation.Disjoint => RouteRelation.Disjoint,
        RouteRelation.Overlaps => second == RouteRelation.Disjoint ? RouteRelation.Disjoint : RouteRelation.Overlaps,
        _ when second == RouteRelation.Equivalent => first,
        _ when second == Inverse(first) => RouteRelation.Overlaps,
        _ => second,
    };

    /// <summary>
    /// The message for a pattern refused because it conflicts with one registered before it: both patterns, a request
    /// both match, why neither wins, and what to do.
    /// </summary>
    public static string DescribeConflict(RoutePattern added, RoutePattern existing)
    {
        RouteRelation methods = CompareMethods(added.Method, existing.Method);
        RouteRelation paths = ComparePaths(added.Segments, existing.Segments);
        string why = Combine(methods, paths) == RouteRelation.Equivalent
            ? "they match exactly the same requests"
            : methods == RouteRelation.MoreGeneral && paths == RouteRelation.MoreSpecific
                ? $"'{added}' answers more methods but has the more specific path"
                : methods == RouteRelation.MoreSpecific && paths == RouteRelation.MoreGeneral
                    ? $"'{added}' answers fewer methods but has the more general path"
                    : "each matches requests the other does not, so neither is more specific";
        return $"The route pattern '{added}' conflicts with '{existing}', which was mapped before it: both match "
            + $"{ExampleRequest(added, existing)}, and {why}. Make one of them more specific (add a method, a host, or a "
            + "literal segment where the other has a wildcard) or remove one.";
    }

    private static RouteRelation CompareSegments(RouteSegment first, RouteSegment second)
    {
        if (first.Kind == RouteSegmentKind.Rest || second.Kind == RouteSegmentKind.Rest)
        {
            return first.Kind == second.Kind ? RouteRelation.Equivalent
                : first.Kind == RouteSegmentKind.Rest ? RouteRelation.MoreGeneral : RouteRelation.MoreSpecific;
        }
        if (first.Kind == RouteSegmentKind.Wildcard && second.Kind == RouteSegmentKind.Wildcard)
        {
            return RouteRelation.Equivalent;
        }
        // A {name} never matches the empty segment after a trailing slash, which is what {$} matches.
        if (first.Kind == RouteSegmentKind.Wildcard)
        {
            return second.Kind == RouteSegmentKind.End ? RouteRelation.Disjoint : RouteRelation.MoreGeneral;
        }
        if (second.Kind == RouteSegmentKind.Wildcard)
        {
            return first.Kind == RouteSegmentKind.End ? RouteRelation.Disjoint : RouteRelation.MoreSpecific;
        }
        return first.Kind == second.Kind && first.Text == second.Text ? RouteRelation.Equivalent : RouteRelation.Disjoint;
    }

    private static RouteRelation Inverse(RouteRelation relation) => relation switch
    {
        RouteRelation.MoreGeneral => RouteRelation.MoreSpecific,
        RouteRelation.MoreSpecific => RouteRelation.MoreGeneral,
        _ => relation,
    };

    // A request both patterns match (they are known to share one): the narrower of the two at each piece.
    private static string ExampleRequest(RoutePattern first, RoutePattern second)
    {
        var text = new StringBuilder();
        string? method = first.Method ?? second.Method;
        if (first.Method == "HEAD" || second.Method == "HEAD")
        {
            method = "HEAD";
        }
        text.Append(method ?? "GET").Append(' ');
        RouteSegment[] a = first.Segments;
        RouteSegment[] b = second.Segments;
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            RouteSegment? x = i < a.Length ? a[i] : null;
            RouteSegment? y = i < b.Length ? b[i] : null;
            // Past one pattern's end only the other's pieces remain (the shorter one ended in a rest).
            RouteSegment piece = x is null ? y!.Value : y is null ? x.Value
                : x.Value.Kind == RouteSegmentKind.Rest ? y.Value
                : y.Value.Kind == RouteSegmentKind.Rest ? x.Value
                : x.Value.Kind == RouteSegmentKind.Wildcard ? y.Value : x.Value;
            switch (piece.Kind)
            {
                case RouteSegmentKind.Literal:
                    text.Append('/').Append(Uri.EscapeDataString(piece.Text));
                    break;
                case RouteSegmentKind.Wildcard:
                    text.Append("/x");
                    break;
                default:
                    text.Append('/');
                    i = int.MaxValue - 1;
                    break;
            }
        }
        return text.ToString();
    }
}
