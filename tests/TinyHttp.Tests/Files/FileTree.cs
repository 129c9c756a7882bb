using System;
using System.IO;

namespace TinyHttp.Tests.Files;

/// <summary>
/// A throwaway directory for one test class: <c>public/</c> is the root the handler serves, <c>secret.txt</c> sits beside
/// it (so any escape from the root would show <see cref="Secret"/>), and files are written with a fixed modification time.
/// </summary>
internal sealed class FileTree : IDisposable
{
    public const string Secret = "TOP-SECRET-OUTSIDE-THE-ROOT";

    public static readonly DateTime Modified = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    public FileTree()
    {
        Top = Path.Combine(Path.GetTempPath(), "tinyhttp-files-" + Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Top, "public");
        Directory.CreateDirectory(Root);
        Write(Path.Combine(Top, "secret.txt"), Secret);
        Directory.CreateDirectory(Path.Combine(Top, "outside"));
        Write(Path.Combine(Top, "outside", "index.html"), Secret);
    }

    /// <summary>The directory above the root.</summary>
    public string Top { get; }

    /// <summary>The served root.</summary>
    public string Root { get; }

    public string Write(string relative, string text) => Write(relative, System.Text.Encoding.UTF8.GetBytes(text));

    public string Write(string relative, byte[] bytes)
    {
        string path = Path.IsPathRooted(relative) ? relative : Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, Modified);
        return path;
    }

    public static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            // Not periodic in any power of two, so an offset error cannot hide.
            bytes[i] = (byte)(i * 7 + i / 251);
        }
        return bytes;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Top, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
