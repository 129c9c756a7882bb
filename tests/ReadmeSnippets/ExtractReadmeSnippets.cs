#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Runs inside MSBuild (RoslynCodeTaskFactory) while ReadmeSnippets builds; ReadmeSnippets.csproj says how blocks become code.
public sealed class ExtractReadmeSnippets : Task
{
    private static readonly Regex UsingLine = new(@"^using [A-Za-z0-9_.]+;\s*$");
    private static readonly Regex TypeDeclaration = new(@"^(public |internal )?((sealed|static|abstract|partial) )*(class|record|struct|interface) ", RegexOptions.Multiline);
    private static readonly Regex MemberStart = new(@"^\s*(\[|(public|private|protected|internal|static|async)\b)");

    [Required]
    public ITaskItem[] Readmes { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string OutputDirectory { get; set; } = "";

    [Output]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        if (Directory.Exists(OutputDirectory))
        {
            foreach (string old in Directory.GetFiles(OutputDirectory, "*.cs"))
            {
                File.Delete(old);
            }
        }
        Directory.CreateDirectory(OutputDirectory);
        var files = new List<ITaskItem>();
        foreach (ITaskItem readme in Readmes)
        {
            string path = readme.GetMetadata("FullPath");
            string prefix = readme.GetMetadata("Prefix");
            string[] lines = File.ReadAllLines(path);
            int number = 0;
            for (int i = 0; i < lines.Length; i++)
            {
                string fence = lines[i].TrimStart();
                if (!fence.StartsWith("```csharp", StringComparison.Ordinal))
                {
                    continue;
                }
                int indent = lines[i].Length - fence.Length;
                int startLine = i + 2;
                string? program = ProgramMarker(lines, i);
                var block = new List<string>();
                for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                {
                    block.Add(lines[i].Length >= indent ? lines[i].Substring(indent) : lines[i].TrimStart());
                }
                if (program is not null)
                {
                    // A sample's whole Program.cs: the sample builds with the solution, so the block is checked by being
                    // that file, line for line, rather than compiled a second time beside this project's entry point.
                    string programPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, program));
                    string[] expected = File.Exists(programPath) ? File.ReadAllLines(programPath) : Array.Empty<string>();
                    if (!expected.SequenceEqual(block))
                    {
                        Log.LogError(null, "README", null, path, startLine, 0, 0, 0,
                            $"This block is marked as {program} but differs from that file{(File.Exists(programPath) ? "" : " (which does not exist)")}; copy the file into the block.");
                    }
                    continue;
                }
                number++;
                string name = $"{prefix}{number:00}";
                string file = Path.Combine(OutputDirectory, name + ".cs");
                File.WriteAllText(file, Render(name, block, path, startLine));
                files.Add(new TaskItem(file));
            }
            Log.LogMessage(MessageImportance.Low, $"{path}: {number} csharp blocks");
        }
        Files = files.ToArray();
        return true;
    }

    /// <summary>The path in a <c>&lt;!-- program: PATH --&gt;</c> comment on the line before a fence, or null.</summary>
    private static string? ProgramMarker(string[] lines, int fence)
    {
        if (fence == 0)
        {
            return null;
        }
        Match marker = Regex.Match(lines[fence - 1].Trim(), @"^<!-- program: (\S+) -->$");
        return marker.Success ? marker.Groups[1].Value : null;
    }

    private static string Render(string name, List<string> block, string readme, int startLine)
    {
        var usings = new List<string>();
        int first = 0;
        while (first < block.Count && (UsingLine.IsMatch(block[first]) || block[first].Trim().Length == 0))
        {
            if (block[first].Trim().Length > 0)
            {
                usings.Add(block[first].Trim());
            }
            first++;
        }
        var body = new StringBuilder();
        body.Append("#line ").Append(startLine + first).Append(" \"").Append(readme).Append("\"\n");
        for (int i = first; i < block.Count; i++)
        {
            body.Append(block[i]).Append('\n');
        }
        string code = body.ToString();
        var text = new StringBuilder();
        text.Append("// ").Append(name).Append(": extracted from ").Append(Path.GetFileName(readme)).Append(" when the project built.\n");
        text.Append("#nullable enable\n");
        if (first == block.Count)
        {
            foreach (string line in usings)
            {
                text.Append("global ").Append(line).Append('\n');
            }
            return text.ToString();
        }
        foreach (string line in usings)
        {
            text.Append(line).Append('\n');
        }
        if (TypeDeclaration.IsMatch(code))
        {
            text.Append(code);
        }
        else if (MemberStart.IsMatch(FirstNonBlank(block, first)))
        {
            text.Append("public abstract class ").Append(name).Append(" : ReadmeSnippets.FragmentContext\n{\n").Append(code).Append("#line default\n}\n");
        }
        else
        {
            text.Append("public sealed class ").Append(name).Append(" : ReadmeSnippets.FragmentContext\n{\n");
            text.Append("    public async Task Run()\n    {\n").Append(code).Append("#line default\n        await Task.CompletedTask;\n    }\n}\n");
        }
        return text.ToString();
    }

    private static string FirstNonBlank(List<string> block, int first)
    {
        for (int i = first; i < block.Count; i++)
        {
            if (block[i].Trim().Length > 0)
            {
                return block[i];
            }
        }
        return "";
    }
}
