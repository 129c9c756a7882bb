using System;
using System.Collections.Generic;
using System.Text;

namespace TinyHttp.Tests.Robustness;

/// <summary>
/// RequestMutator makes damaged requests the way a fuzzer's first minutes do, but reproducibly: it starts from a
/// valid or invalid request template and applies one to four mutations (bit flips, inserted CR/LF/NUL/SP/':'/digits,
/// truncation, repeated or dropped lines, case changes, huge numbers, a second request spliced on). The same seed
/// gives the same sequence on every machine, so a failure names the seed and iteration that reproduce it.
/// </summary>
internal sealed class RequestMutator
{
    /// <summary>Requests from each corner of RFC 9112 the parser has a rule for, valid ones first.</summary>
    public static readonly string[] Templates =
    [
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /search?q=tiny%20http&lang=en HTTP/1.1\r\nHost: www.example.com:8080\r\nUser-Agent: test/1.0\r\nAccept: */*\r\nCookie: a=1; b=2\r\n\r\n",
        "POST /webhook HTTP/1.1\r\nHost: hooks.local\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"ok\": true}\n",
        "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
        "PUT /file HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
        "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "HEAD /x HTTP/1.0\r\n\r\n",
        "HEAD /y HTTP/1.1\r\nHost: h\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        "GET http://example.com:80/a/b?c=d HTTP/1.1\r\nHost: example.com\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
        "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n",
        "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.9\r\nHost: h\r\nConnection: Upgrade, close\r\nUpgrade: websocket\r\n\r\n",
        "DELETE /item/42 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
        "POST /form HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0000a\r\n0123456789\r\n000\r\n\r\n",
        "GET /caf%C3%A9/%2F HTTP/1.1\r\nHost: h\r\nX-Latin: caf\u00e9\r\n\r\n",
        // Invalid: each breaks one rule, so mutations explore both sides of it.
        "GET / HTTP/1.1\nHost: h\n\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  folded\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: h\r\n\r\n",
        "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
        "GET / HTTP/1.1\r\n\r\n",
    ];

    private static readonly byte[] InterestingBytes = [.. "\r\n\0 \t:,;%/?#0123456789aAzZ\"\\"u8, 0x7F, 0x80, 0xFF, 0x01];

    private static readonly string[] InterestingTokens =
    [
        "\r\n", "\r", "\n", "\r\n\r\n", " ", "\t", ":", "\0", "%", "%00", "%2F", "%C3%28",
        "99999999999999999999", "18446744073709551616", "9223372036854775807", "-1", "+1", "0x10", "1e3", "00000000",
        "ffffffffffffffff", "0\r\n\r\n", "1;a=b\r\nx\r\n", " HTTP/1.1", " HTTP/1.0", "HTTP/", "chunked", "close", "keep-alive",
        "Transfer-Encoding: chunked\r\n", "Content-Length: 5\r\n", "Content-Length: 0\r\n", "Host: x\r\n", "Host:\r\n",
        "Expect: 100-continue\r\n", "Connection: close\r\n", "Connection: keep-alive\r\n", "X-Empty:\r\n", "Trailer: x\r\n",
    ];

    private readonly Random _random;
    private readonly byte[][] _templates;

    public RequestMutator(int seed)
    {
        _random = new Random(seed);
        _templates = new byte[Templates.Length][];
        for (int i = 0; i < Templates.Length; i++)
        {
            _templates[i] = Encoding.Latin1.GetBytes(Templates[i]);
        }
    }

    /// <summary>The next mutated request.</summary>
    public byte[] Next()
    {
        var bytes = new List<byte>(_templates[_random.Next(_templates.Length)]);
        int mutations = 1 + _random.Next(4);
        for (int i = 0; i < mutations; i++)
        {
            Mutate(bytes);
        }
        return bytes.ToArray();
    }

    private void Mutate(List<byte> bytes)
    {
        if (bytes.Count == 0)
        {
            bytes.AddRange(_templates[_random.Next(_templates.Length)]);
            return;
        }
        int at = _random.Next(bytes.Count);
        switch (_random.Next(13))
        {
            case 0:
                bytes[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1:
                bytes[at] = InterestingBytes[_random.Next(InterestingBytes.Length)];
                break;
            case 2:
                bytes.Insert(at, InterestingBytes[_random.Next(InterestingBytes.Length)]);
                break;
            case 3:
                bytes.InsertRange(at, Encoding.Latin1.GetBytes(InterestingTokens[_random.Next(InterestingTokens.Length)]));
                break;
            case 4:
                bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + _random.Next(8)));
                break;
            case 5:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 6:
                RepeatLine(bytes, 1 + (_random.Next(4) == 0 ? _random.Next(200) : 0));
                break;
            case 7:
                RemoveLine(bytes);
                break;
            case 8:
                ChangeCase(bytes, at, Math.Min(bytes.Count - at, 1 + _random.Next(16)));
                break;
            case 9:
                ReplaceNumber(bytes);
                break;
            case 10:
                // A second request after the first: pipelining, or what a smuggler hopes the server sees.
                bytes.AddRange(_templates[_random.Next(_templates.Length)]);
                break;
            case 11:
                RepeatBlock(bytes, at);
                break;
            default:
                bytes[at] = (byte)_random.Next(256);
                break;
        }
    }

    private (int Start, int Length) PickLine(List<byte> bytes)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < bytes.Count - 1; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }
        int index = _random.Next(starts.Count);
        int start = starts[index];
        int end = index + 1 < starts.Count ? starts[index + 1] : bytes.Count;
        return (start, end - start);
    }

    private void RepeatLine(List<byte> bytes, int times)
    {
        (int start, int length) = PickLine(bytes);
        byte[] line = bytes.GetRange(start, length).ToArray();
        for (int i = 0; i < times; i++)
        {
            bytes.InsertRange(start, line);
        }
    }

    private void RemoveLine(List<byte> bytes)
    {
        (int start, int length) = PickLine(bytes);
        bytes.RemoveRange(start, length);
    }

    private void ChangeCase(List<byte> bytes, int start, int length)
    {
        bool upper = _random.Next(2) == 0;
        for (int i = start; i < start + length; i++)
        {
            byte b = bytes[i];
            if (char.IsAsciiLetter((char)b))
            {
                bytes[i] = upper ? (byte)(b & ~0x20) : (byte)(b | 0x20);
            }
        }
    }

    private void ReplaceNumber(List<byte> bytes)
    {
        int digit = -1;
        int from = _random.Next(bytes.Count);
        for (int i = 0; i < bytes.Count; i++)
        {
            int at = (from + i) % bytes.Count;
            if (char.IsAsciiDigit((char)bytes[at]))
            {
                digit = at;
                break;
            }
        }
        if (digit < 0)
        {
            return;
        }
        int end = digit;
        while (end < bytes.Count && char.IsAsciiDigit((char)bytes[end]))
        {
            end++;
        }
        string[] numbers = ["0", "00000000000000000000000000000001", "99999999999999999999", "9223372036854775807", "9223372036854775808", "7fffffffffffffff", "ffffffffffffffffff", "-0", "1 2", "30000001"];
        bytes.RemoveRange(digit, end - digit);
        bytes.InsertRange(digit, Encoding.ASCII.GetBytes(numbers[_random.Next(numbers.Length)]));
    }

    private void RepeatBlock(List<byte> bytes, int at)
    {
        int length = Math.Min(bytes.Count - at, 1 + _random.Next(32));
        byte[] block = bytes.GetRange(at, length).ToArray();
        int times = 1 + _random.Next(_random.Next(2) == 0 ? 8 : 400);
        for (int i = 0; i < times; i++)
        {
            bytes.InsertRange(at, block);
        }
    }
}
