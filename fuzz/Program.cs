using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using SharpFuzz;
using TinyHttp.Tests.Robustness;

namespace TinyHttp.Fuzz;

/// <summary>
/// The fuzz harness's entry point: one target per run, driven by afl-fuzz (default), libFuzzer, or by hand
/// over files (<c>--repro</c>) to replay a finding or a corpus without a fuzzer. A target fails by letting an
/// exception escape: the invariants turn anything but <see cref="BadHttpRequestException"/> into one.
/// </summary>
internal static class Program
{
    private const int MaxInputLength = 1024 * 1024;

    private const string Usage = """
        usage: TinyHttp.Fuzz <target> [--afl | --libfuzzer | --repro <file-or-directory>...]
          targets: request-head   RequestHeadParser + RequestHead (and the chunked decoder after a chunked head)
                   chunked-body   ChunkedBodyDecoder on its own
          --afl        run under afl-fuzz, input on stdin, persistent mode (the default)
          --libfuzzer  run under libfuzzer-dotnet
          --repro      check each file (directories: each file inside) and print its outcome; exit 1 if any fails
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !TryGetTarget(args[0], out Func<byte[], string>? target))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        string mode = args.Length > 1 ? args[1] : "--afl";
        switch (mode)
        {
            case "--afl":
                Fuzzer.Run(stream => target(ReadInput(stream)));
                return 0;
            case "--libfuzzer":
                Fuzzer.LibFuzzer.Run(span => target(span.ToArray()));
                return 0;
            case "--repro" when args.Length > 2:
                return Repro(target, args.AsSpan(2));
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static bool TryGetTarget(string name, [NotNullWhen(true)] out Func<byte[], string>? target)
    {
        target = name switch
        {
            "request-head" => input => ProtocolInvariants.CheckRequestHead(input).ToString(),
            "chunked-body" => input => ProtocolInvariants.CheckChunkedBody(input).ToString(),
            _ => null,
        };
        return target is not null;
    }

    private static byte[] ReadInput(Stream stream)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[64 * 1024];
        int read;
        while (buffer.Length < MaxInputLength && (read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static int Repro(Func<byte[], string> target, ReadOnlySpan<string> paths)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                string[] inside = Directory.GetFiles(path);
                Array.Sort(inside, StringComparer.Ordinal);
                files.AddRange(inside);
            }
            else
            {
                files.Add(path);
            }
        }
        int failures = 0;
        foreach (string file in files)
        {
            byte[] input = File.ReadAllBytes(file);
            try
            {
                string outcome = target(input);
                Console.WriteLine($"ok    {file}: {Shorten(outcome)}");
            }
            catch (Exception ex)
            {
                failures++;
                Console.WriteLine($"FAIL  {file}: {ex.GetType().Name}: {ex.Message}");
            }
        }
        Console.WriteLine($"{files.Count} inputs, {failures} failed");
        return failures == 0 ? 0 : 1;
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : string.Concat(text.AsSpan(0, 160), "…");
}
