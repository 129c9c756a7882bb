using System;
using System.Globalization;
using System.IO;
using System.Threading;

namespace TinyHttp.Conformance;

/// <summary>
/// ConformanceFiles is the directory both servers serve under <see cref="Prefix"/> for the conditional (RFC 9110 §13) and
/// range (§14) cases: TinyHttp through <see cref="StaticFiles"/>, Kestrel through ASP.NET Core's static file middleware.
/// It is made once per process in the temp directory, with a fixed modification time, so Last-Modified (and TinyHttp's
/// ETag, and so the snapshots) are the same on every run.
/// </summary>
public static class ConformanceFiles
{
    /// <summary>The URL prefix the files are served under.</summary>
    public const string Prefix = "/files/";

    /// <summary>The content of <c>alphabet.txt</c>: 26 bytes, so every range is easy to read.</summary>
    public const string Alphabet = "abcdefghijklmnopqrstuvwxyz";

    /// <summary>The files' modification time as Last-Modified carries it.</summary>
    public const string LastModified = "Fri, 02 Jan 2026 03:04:05 GMT";

    /// <summary>A date a second before <see cref="LastModified"/>.</summary>
    public const string SecondBefore = "Fri, 02 Jan 2026 03:04:04 GMT";

    /// <summary>A date a second after <see cref="LastModified"/>.</summary>
    public const string SecondAfter = "Fri, 02 Jan 2026 03:04:06 GMT";

    private static readonly DateTime Modified = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private static readonly Lazy<string> Made = new(Make, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// TinyHttp's strong ETag for <c>alphabet.txt</c> (modification ticks and length, in hex). Kestrel computes its own from
    /// the same facts differently, so cases that send this tag are answered differently by Kestrel (each says so).
    /// </summary>
    public static string AlphabetETag { get; } = string.Create(CultureInfo.InvariantCulture, $"\"{Modified.Ticks:x}-{Alphabet.Length:x}\"");

    /// <summary>The directory, made on first use.</summary>
    public static string Directory => Made.Value;

    private static string Make()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"tinyhttp-conformance-files-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(directory);
        Write(Path.Combine(directory, "alphabet.txt"), Alphabet);
        Write(Path.Combine(directory, "empty.txt"), string.Empty);
        return directory;
    }

    private static void Write(string path, string text)
    {
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, Modified);
    }
}
