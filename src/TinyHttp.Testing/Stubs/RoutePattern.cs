using System;
using System.Collections.Generic;

namespace TinyHttp.Testing;

/// <summary>
/// RoutePattern matches a request path against a stub route's pattern: literal segments match exactly
/// (case-sensitive, still percent-encoded), <c>{name}</c> matches one non-empty segment, and a final <c>{*name}</c>
/// or <c>*</c> matches the rest of the path, however many segments.
/// </summary>
/// <remarks>
/// The stub's only path matcher: <see cref="StubRoute"/> calls <see cref="TryMatch"/> and nothing else, so moving the stub
/// to the core's router (issue 14) replaces this type alone.
/// </remarks>
internal sealed class RoutePattern
{
    private readonly string[] _segments;
    private readonly bool _matchesRest;
    private readonly string? _restName;

    internal RoutePattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        if (pattern[0] != '/')
        {
            throw new ArgumentException($"The path pattern '{pattern}' must start with '/'.", nameof(pattern));
        }
        if (pattern.Contains('?', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The path pattern '{pattern}' has a query; match the query with StubRoute.WithQuery instead.", nameof(pattern));
        }
        Text = pattern;
        string[] segments = pattern[1..].Split('/');
        string last = segments[^1];
        if (last == "*" || (last.StartsWith("{*", StringComparison.Ordinal) && last.EndsWith('}')))
        {
            _matchesRest = true;
            _restName = last == "*" ? null : last[2..^1];
            segments = segments[..^1];
        }
        for (int i = 0; i < segments.Length; i++)
        {
            if (segments[i].Contains('*', StringComparison.Ordinal))
            {
                throw new ArgumentException($"In the path pattern '{pattern}', only the last segment may be a catch-all ('*' or '{{*name}}').", nameof(pattern));
            }
        }
        _segments = segments;
    }

    internal string Text { get; }

    internal bool Matches(string path) => TryMatch(path, values: null);

    /// <summary>Matches <paramref name="path"/> and, when it matches, adds each <c>{name}</c> and <c>{*name}</c> segment's text (still percent-encoded) to <paramref name="values"/>.</summary>
    internal bool TryMatch(string path, Dictionary<string, string>? values)
    {
        if (path.Length == 0 || path[0] != '/')
        {
            return false;
        }
        string[] segments = path[1..].Split('/');
        if (_matchesRest ? segments.Length < _segments.Length : segments.Length != _segments.Length)
        {
            return false;
        }
        for (int i = 0; i < _segments.Length; i++)
        {
            string pattern = _segments[i];
            bool isParameter = pattern.Length > 2 && pattern[0] == '{' && pattern[^1] == '}';
            if (isParameter ? segments[i].Length == 0 : !string.Equals(pattern, segments[i], StringComparison.Ordinal))
            {
                values?.Clear();
                return false;
            }
            if (isParameter && values is not null)
            {
                values[pattern[1..^1]] = segments[i];
            }
        }
        if (_matchesRest && values is not null && _restName is not null)
        {
            values[_restName] = string.Join('/', segments, _segments.Length, segments.Length - _segments.Length);
        }
        return true;
    }
}
