using System.Text;
using BenchmarkDotNet.Attributes;
using TinyHttp.Protocol;

namespace TinyHttp.Benchmarks;

/// <summary>
/// RequestHeadParser on a whole head already in the buffer, the common case on a keep-alive
/// connection: one Reset and one Parse per operation. The target is 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class RequestHeadParserBenchmarks
{
    // What a browser sends for a page: request line and 10 fields, 578 bytes.
    private static readonly byte[] Browser = Encoding.ASCII.GetBytes(
        "GET /products/42/reviews?page=2&sort=newest HTTP/1.1\r\n" +
        "Host: shop.example.com\r\n" +
        "Connection: keep-alive\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
        "Sec-Fetch-Site: same-origin\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "Referer: https://shop.example.com/products/42\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Accept-Language: en-GB,en;q=0.9,de;q=0.8\r\n" +
        "\r\n");

    // The smallest valid HTTP/1.1 request: a Host field is required (RFC 9112 §3.2).
    private static readonly byte[] Minimal = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

    private readonly RequestHeadParser _parser = new(8 * 1024, 32 * 1024, 100);
    private readonly RequestHead _head = new();

    [Benchmark(Baseline = true, Description = "parse minimal request (2 lines)")]
    public int ParseMinimal()
    {
        _parser.Reset(_head);
        return _parser.Parse(Minimal, _head);
    }

    [Benchmark(Description = "parse browser request (10 fields)")]
    public int ParseBrowser()
    {
        _parser.Reset(_head);
        return _parser.Parse(Browser, _head);
    }
}
