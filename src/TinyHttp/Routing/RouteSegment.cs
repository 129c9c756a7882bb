namespace TinyHttp.Routing;

/// <summary>What one piece of a route pattern's path matches.</summary>
internal enum RouteSegmentKind : byte
{
    /// <summary>One path segment equal to <see cref="RouteSegment.Text"/> once both are percent-decoded.</summary>
    Literal,

    /// <summary><c>{name}</c>: any one segment except a trailing slash's empty one.</summary>
    Wildcard,

    /// <summary><c>{name...}</c>, or a trailing <c>/</c> (anonymous): the rest of the path, however many segments, also none.</summary>
    Rest,

    /// <summary><c>{$}</c> after a slash: the path ends right there, at that slash.</summary>
    End,
}

/// <summary>One piece of a route pattern's path: a literal (decoded), a wildcard's name, or an anonymous rest ("").</summary>
internal readonly record struct RouteSegment(RouteSegmentKind Kind, string Text)
{
    public bool IsWildcard => Kind is RouteSegmentKind.Wildcard or RouteSegmentKind.Rest;

    public override string ToString() => Kind switch
    {
        RouteSegmentKind.Literal => Text,
        RouteSegmentKind.Wildcard => "{" + Text + "}",
        RouteSegmentKind.Rest => Text.Length == 0 ? string.Empty : "{" + Text + "...}",
        _ => "{$}",
    };
}
