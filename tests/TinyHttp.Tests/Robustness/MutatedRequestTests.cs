using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;
using Xunit.Abstractions;

namespace TinyHttp.Tests.Robustness;

/// <summary>
/// Tens of thousands of damaged requests, made reproducibly by <see cref="RequestMutator"/> from fixed seeds: first
/// through the parser and chunked decoder in-process against <see cref="ProtocolInvariants"/>, then a few thousand over
/// real sockets to a live server, which must answer each with a well-formed response or close the connection, and go
/// on answering a well-behaved client. Work is bounded by iteration counts, never by time.
/// </summary>
public class MutatedRequestTests(ITestOutputHelper output)
{
    private const int InProcessSeeds = 4;
    private const int InProcessIterationsPerSeed = 25_000;
    private const int LiveWorkers = 4;
    private const int LiveIterationsPerWorker = 1_000;

    // Every status the server may answer a mutated request with: the handler's own (200, 204 for HEAD), interim
    // 100 Continue (collected separately), and the rejections. 500 would mean the server failed, not the request.
    private static readonly int[] ExpectedStatusCodes = [200, 204, 400, 408, 413, 414, 417, 431, 501, 505];

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (int seed = 1; seed <= InProcessSeeds; seed++)
        {
            seeds.Add(seed);
        }
        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Parser_only_accepts_or_throws_BadHttpRequestException_whatever_the_mutation(int seed)
    {
        var mutator = new RequestMutator(seed);
        var outcomes = new Dictionary<OutcomeKind, int>();
        for (int iteration = 0; iteration < InProcessIterationsPerSeed; iteration++)
        {
            byte[] request = mutator.Next();
            HeadOutcome outcome;
            try
            {
                outcome = ProtocolInvariants.CheckRequestHead(request);
            }
            catch (InvariantViolationException ex)
            {
                throw new InvariantViolationException($"seed {seed}, iteration {iteration}: {ex.Message}", ex);
            }
            outcomes[outcome.Kind] = outcomes.GetValueOrDefault(outcome.Kind) + 1;
        }

        output.WriteLine($"seed {seed}: {string.Join(", ", outcomes.OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}: {pair.Value}"))}");
        // The mutations must reach every outcome often, or the test checks less than it claims.
        Assert.All(Enum.GetValues<OutcomeKind>(), kind => Assert.True(
            outcomes.GetValueOrDefault(kind) > InProcessIterationsPerSeed / 50,
            $"only {outcomes.GetValueOrDefault(kind)} of {InProcessIterationsPerSeed} mutated requests were {kind}"));
    }

    [Fact]
    public async Task Live_server_answers_every_mutated_request_with_a_well_formed_response_or_a_close_and_keeps_serving()
    {
        await using var server = new TinyHttpServer(new TinyHttpServerOptions(), EchoAsync);
        server.Start();

        var failures = new ConcurrentQueue<string>();
        var counts = new ConcurrentDictionary<string, int>();
        var workers = new Task[LiveWorkers];
        for (int worker = 0; worker < LiveWorkers; worker++)
        {
            int id = worker;
            workers[worker] = Task.Run(() => RunWorkerAsync(server, id, failures, counts));
        }
        await Task.WhenAll(workers);
        output.WriteLine(Describe(counts));

        Assert.True(failures.IsEmpty, $"{failures.Count} failure(s); the first ones:\n{string.Join("\n\n", failures.Take(5))}");
        Assert.True(counts.GetValueOrDefault("200") > LiveWorkers * LiveIterationsPerWorker / 20, $"too few requests were served: {Describe(counts)}");
        Assert.True(counts.GetValueOrDefault("400") > LiveWorkers * LiveIterationsPerWorker / 20, $"too few requests were rejected: {Describe(counts)}");
    }

    private static async Task RunWorkerAsync(TinyHttpServer server, int worker, ConcurrentQueue<string> failures, ConcurrentDictionary<string, int> counts)
    {
        var mutator = new RequestMutator(1000 + worker);
        // A well-behaved client on a kept-alive connection, asked after every mutated exchange.
        await using RawHttpConnection canary = await RawHttpConnection.ConnectAsync(server.BaseAddress);
        for (int iteration = 0; iteration < LiveIterationsPerWorker && failures.Count < 10; iteration++)
        {
            byte[] request = mutator.Next();
            string? failure = await ExchangeAsync(server, request, counts);
            if (failure is not null)
            {
                failures.Enqueue($"worker {worker}, iteration {iteration}: {failure}\nRequest ({request.Length} bytes): \"{ProtocolInvariants.Escape(request)}\"");
            }

            string path = $"/canary/{worker}/{iteration}";
            await canary.SendAsync($"GET {path} HTTP/1.1\r\nHost: canary\r\n\r\n");
            RawHttpResponse answer = await canary.ReadResponseAsync();
            if (answer.StatusCode != 200 || answer.BodyText != "canary " + path)
            {
                failures.Enqueue($"worker {worker}, iteration {iteration}: the kept-alive client got {answer} after mutated request \"{ProtocolInvariants.Escape(request)}\"");
                return;
            }
        }
    }

    /// <summary>Sends one mutated request on a new connection, half-closes, and checks everything that comes back. Returns a failure or null.</summary>
    private static async Task<string?> ExchangeAsync(TinyHttpServer server, byte[] request, ConcurrentDictionary<string, int> counts)
    {
        await using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(server.BaseAddress);
        try
        {
            await connection.SendAsync(request);
            // End of input: an incomplete request can only end in a response or a close, never a wait for more.
            connection.ShutdownSend();
        }
        catch (SocketException)
        {
            // The server answered and closed before taking all the bytes; what it sent is still readable.
        }

        string sent = Encoding.Latin1.GetString(request);
        while (true)
        {
            RawHttpResponse response;
            try
            {
                response = await connection.ReadResponseAsync();
            }
            catch (IOException)
            {
                // Closed (or reset) before another complete response: acceptable only with nothing half-sent.
                byte[] rest;
                try
                {
                    rest = await connection.ReadToEndAsync();
                }
                catch (IOException ex)
                {
                    // The server closes gracefully (it reads until the client's FIN), so a reset could have destroyed a response.
                    return $"the connection was reset: {ex.Message}";
                }
                counts.AddOrUpdate("close", 1, (_, n) => n + 1);
                if (IsHeadOnlyRejectionOfHead(sent, rest))
                {
                    return null;
                }
                return rest.Length == 0 ? null : $"the connection closed after a partial response: \"{ProtocolInvariants.Escape(rest)}\"";
            }
            catch (FormatException ex)
            {
                return $"malformed response: {ex.Message}";
            }
            catch (TimeoutException ex)
            {
                return $"no response and no close: {ex.Message}";
            }

            counts.AddOrUpdate(response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
            string? problem = CheckResponse(response, sent);
            if (problem is not null)
            {
                return problem;
            }
            if (string.Equals(response.GetHeader("Connection"), "close", StringComparison.OrdinalIgnoreCase))
            {
                byte[] after = await connection.ReadToEndAsync();
                return after.Length == 0 ? null : $"bytes after a Connection: close response: \"{ProtocolInvariants.Escape(after)}\"";
            }
        }
    }

    private static string? CheckResponse(RawHttpResponse response, string sent)
    {
        if (Array.IndexOf(ExpectedStatusCodes, response.StatusCode) < 0)
        {
            return $"unexpected status: {response}";
        }
        if (response.GetHeader("Date") is null)
        {
            return $"no Date header: {response}";
        }
        if (response.StatusCode >= 400 && !string.Equals(response.GetHeader("Connection"), "close", StringComparison.OrdinalIgnoreCase))
        {
            return $"a rejection that keeps the connection open: {response}";
        }
        if (response.StatusCode == 200)
        {
            // The echo names the target the server parsed; it must be bytes this client sent, not another request's.
            string[] parts = response.BodyText.Split(' ');
            if (parts.Length != 3 || !sent.Contains(parts[0] + " " + parts[1], StringComparison.Ordinal))
            {
                return $"a 200 whose echo is not from this request: {response}";
            }
        }
        return null;
    }

    private static async Task EchoAsync(HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        if (request.Path.StartsWith("/canary/", StringComparison.Ordinal))
        {
            response.SetBody("canary " + request.Path);
            return;
        }
        // Read the whole body (not cancellable: the client half-closes at once, which fires requestAborted).
        byte[] body = await request.ReadBodyAsBytesAsync(CancellationToken.None);
        if (request.Method == "HEAD")
        {
            // No body for HEAD; 204 says so on the wire, so the raw client frames it without knowing the method.
            response.StatusCode = 204;
            return;
        }
        response.SetBody($"{request.Method} {request.RawTarget} {body.Length}");
    }

    private static string Describe(ConcurrentDictionary<string, int> counts) =>
        string.Join(", ", counts.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}: {pair.Value}"));

    /// <summary>
    /// RFC 9110 §9.3.2: the server's own error response to a HEAD request has a head and no body, although its
    /// Content-Length gives the error text's length. The raw reader cannot know which of the mutated bytes' requests was
    /// answered, so a complete error head that closes the connection, received for bytes holding a HEAD request, passes.
    /// </summary>
    private static bool IsHeadOnlyRejectionOfHead(string sent, byte[] rest)
    {
        string text = Encoding.Latin1.GetString(rest);
        return sent.Contains("HEAD ", StringComparison.Ordinal)
            && (text.StartsWith("HTTP/1.1 4", StringComparison.Ordinal) || text.StartsWith("HTTP/1.1 5", StringComparison.Ordinal))
            && text.EndsWith("\r\n\r\n", StringComparison.Ordinal)
            && text.IndexOf("\r\n\r\n", StringComparison.Ordinal) == text.Length - 4
            && text.Contains("\r\nConnection: close\r\n", StringComparison.Ordinal);
    }
}
