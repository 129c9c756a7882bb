using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace TinyHttp.Testing;

/// <summary>
/// SnapshotSettings says how <see cref="ResponseSnapshot"/> renders and where it keeps a snapshot: which volatile
/// values to replace with placeholders, and, when the defaults do not fit, the folder and file name.
/// One instance may be shared by tests that run in parallel once it is configured.
/// </summary>
public sealed class SnapshotSettings
{
    private readonly List<(string Name, string Placeholder)> _headerScrubbers = new();
    private readonly List<(string Value, string Placeholder)> _textScrubbers = new();
    private readonly List<(Regex Pattern, string Placeholder)> _patternScrubbers = new();

    /// <summary>
    /// Directory is the folder the <c>.verified.txt</c> and <c>.received.txt</c> files live in.
    /// Null (the default) means the folder of the calling test's source file, as Verify does.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// FileName replaces the <c>{TestClass}.{TestMethod}</c> part of the file names, for example to give each case of a
    /// theory its own snapshot. Null (the default) uses the source file's name (the test class, by convention) and the calling method's name.
    /// </summary>
    public string? FileName { get; set; }

    /// <summary>ScrubDateHeader replaces the value of every <c>Date</c> header with <c>{Date}</c>. Default true.</summary>
    public bool ScrubDateHeader { get; set; } = true;

    /// <summary>Where environment variables are read; tests of this package swap it so they do not touch the process environment.</summary>
    internal Func<string, string?> GetEnvironmentVariable { get; set; } = Environment.GetEnvironmentVariable;

    internal IReadOnlyList<(string Name, string Placeholder)> HeaderScrubbers => _headerScrubbers;

    internal IReadOnlyList<(string Value, string Placeholder)> TextScrubbers => _textScrubbers;

    internal IReadOnlyList<(Regex Pattern, string Placeholder)> PatternScrubbers => _patternScrubbers;

    /// <summary>ScrubHeader replaces the value of every header named <paramref name="name"/> (case-insensitive) with a placeholder.</summary>
    /// <param name="name">The header name, for example <c>X-Request-Id</c>.</param>
    /// <param name="placeholder">The text to show instead; default <c>{name}</c>.</param>
    /// <returns>These settings, for chaining.</returns>
    public SnapshotSettings ScrubHeader(string name, string? placeholder = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _headerScrubbers.Add((name, placeholder ?? "{" + name + "}"));
        return this;
    }

    /// <summary>Scrub replaces every occurrence of <paramref name="value"/> (for example a port or an id the test knows) with <paramref name="placeholder"/>, in the head and the body.</summary>
    /// <param name="value">The exact text to replace, as it appears in the snapshot.</param>
    /// <param name="placeholder">The text to show instead, for example <c>{Port}</c>.</param>
    /// <returns>These settings, for chaining.</returns>
    public SnapshotSettings Scrub(string value, string placeholder)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        ArgumentNullException.ThrowIfNull(placeholder);
        _textScrubbers.Add((value, placeholder));
        return this;
    }

    /// <summary>Scrub replaces every match of <paramref name="pattern"/> (for example a GUID or a timestamp) with <paramref name="placeholder"/>, in the head and the body.</summary>
    /// <param name="pattern">The pattern, matched against each rendered line.</param>
    /// <param name="placeholder">The replacement; <c>$1</c>-style group references work as in <see cref="Regex.Replace(string, string)"/>.</param>
    /// <returns>These settings, for chaining.</returns>
    public SnapshotSettings Scrub(Regex pattern, string placeholder)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(placeholder);
        _patternScrubbers.Add((pattern, placeholder));
        return this;
    }
}
