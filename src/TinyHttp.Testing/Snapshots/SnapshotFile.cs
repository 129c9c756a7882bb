using System;
using System.IO;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace TinyHttp.Testing;

/// <summary>
/// SnapshotFile compares snapshot text with its <c>.verified.txt</c> file, on Verify's conventions: the received text
/// goes to <c>.received.txt</c> beside it when they differ, and nothing is written when they match.
/// </summary>
internal static class SnapshotFile
{
    private const int DiffContextLines = 3;
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    internal static void Verify(string received, SnapshotSettings settings, string sourceFilePath, string memberName)
    {
        string directory = settings.Directory ?? SourceDirectory(sourceFilePath);
        string name = settings.FileName ?? $"{Path.GetFileNameWithoutExtension(sourceFilePath)}.{memberName}";
        string verifiedPath = Path.Combine(directory, name + ".verified.txt");
        string receivedPath = Path.Combine(directory, name + ".received.txt");

        if (IsSet(settings.GetEnvironmentVariable(ResponseSnapshot.AcceptVariable)))
        {
            Write(verifiedPath, received);
            File.Delete(receivedPath);
            return;
        }

        if (!File.Exists(verifiedPath))
        {
            if (IsSet(settings.GetEnvironmentVariable("CI")))
            {
                throw new TinyHttpAssertionException(
                    $"There is no verified snapshot {verifiedPath}, and CI=true, so none is created here. "
                    + $"Run the test locally, review {name}.received.txt, accept it (rename it to {name}.verified.txt, "
                    + $"or run with {ResponseSnapshot.AcceptVariable}=1) and commit the .verified.txt file.{Environment.NewLine}"
                    + $"Received snapshot:{Environment.NewLine}{received}");
            }
            Write(receivedPath, received);
            throw new TinyHttpAssertionException(
                $"There is no verified snapshot yet for {name}. The received snapshot was written to {receivedPath}.{Environment.NewLine}"
                + $"Review it, then accept it by renaming it to {name}.verified.txt, or by running the tests again with "
                + $"{ResponseSnapshot.AcceptVariable}=1, and commit the .verified.txt file.{Environment.NewLine}"
                + $"Received snapshot:{Environment.NewLine}{received}");
        }

        // Every CR and LF of the response is escaped in the text, so real line endings carry no meaning and
        // may be normalised (git may have checked the file out with CRLF); so may the file's final newline.
        string verified = Normalise(File.ReadAllText(verifiedPath));
        if (string.Equals(verified, Normalise(received), StringComparison.Ordinal))
        {
            File.Delete(receivedPath);
            return;
        }

        Write(receivedPath, received);
        throw new TinyHttpAssertionException(
            $"The snapshot {name} does not match its verified file.{Environment.NewLine}"
            + $"Verified: {verifiedPath}{Environment.NewLine}"
            + $"Received: {receivedPath}{Environment.NewLine}"
            + $"Diff (- verified, + received):{Environment.NewLine}"
            + Diff(verified, Normalise(received))
            + $"If the change is intended, accept it: rename the .received.txt file over the .verified.txt file, or run the tests again with {ResponseSnapshot.AcceptVariable}=1.");
    }

    internal static string Diff(string verified, string received)
    {
        DiffPaneModel diff = InlineDiffBuilder.Diff(verified, received, ignoreWhiteSpace: false, ignoreCase: false);
        var lines = diff.Lines;
        var show = new bool[lines.Count];
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Type is ChangeType.Inserted or ChangeType.Deleted or ChangeType.Modified)
            {
                for (int j = Math.Max(0, i - DiffContextLines); j <= Math.Min(lines.Count - 1, i + DiffContextLines); j++)
                {
                    show[j] = true;
                }
            }
        }
        var text = new StringBuilder();
        bool skipped = false;
        for (int i = 0; i < lines.Count; i++)
        {
            if (!show[i])
            {
                skipped = true;
                continue;
            }
            if (skipped)
            {
                text.Append("  ...").Append(Environment.NewLine);
                skipped = false;
            }
            string prefix = lines[i].Type switch
            {
                ChangeType.Inserted => "+ ",
                ChangeType.Deleted => "- ",
                _ => "  ",
            };
            text.Append(prefix).Append(lines[i].Text).Append(Environment.NewLine);
        }
        if (skipped)
        {
            text.Append("  ...").Append(Environment.NewLine);
        }
        return text.ToString();
    }

    /// <summary>
    /// Finds the folder of the test's source file. A deterministic CI build (ContinuousIntegrationBuild) maps source
    /// paths to <c>/_/…</c>; the real folder is then found by looking for that relative path above the test's output folder.
    /// </summary>
    internal static string SourceDirectory(string sourceFilePath)
    {
        if (string.IsNullOrEmpty(sourceFilePath))
        {
            throw new InvalidOperationException("The caller's source file path is unknown; set SnapshotSettings.Directory.");
        }
        if (File.Exists(sourceFilePath))
        {
            return Path.GetDirectoryName(sourceFilePath)!;
        }
        string? relative = MappedRelativePath(sourceFilePath);
        if (relative is not null)
        {
            foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            {
                for (DirectoryInfo? folder = new(start); folder is not null; folder = folder.Parent)
                {
                    string candidate = Path.Combine(folder.FullName, relative);
                    if (File.Exists(candidate))
                    {
                        return Path.GetDirectoryName(candidate)!;
                    }
                }
            }
        }
        string? directory = Path.GetDirectoryName(sourceFilePath);
        if (directory is not null && System.IO.Directory.Exists(directory))
        {
            return directory;
        }
        throw new InvalidOperationException(
            $"The test's source folder for '{sourceFilePath}' does not exist on this machine (a path-mapped build?); set SnapshotSettings.Directory.");
    }

    private static string? MappedRelativePath(string path)
    {
        // PathMap roots look like "/_/" or "/_1/".
        string normalised = path.Replace('\\', '/');
        if (!normalised.StartsWith("/_", StringComparison.Ordinal))
        {
            return null;
        }
        int slash = normalised.IndexOf('/', 1);
        return slash < 0 ? null : normalised[(slash + 1)..];
    }

    private static void Write(string path, string text)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, Utf8NoBom);
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');

    private static bool IsSet(string? value) =>
        value is not null && (value == "1" || string.Equals(value, "true", StringComparison.OrdinalIgnoreCase));
}
