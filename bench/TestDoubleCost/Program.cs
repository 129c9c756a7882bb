using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using TinyHttp;
using TinyHttp.Bench;
using TinyHttp.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

// Usage: TestDoubleCost (TinyHttp|Kestrel|StubServer|InMemoryServer|WireMock) [WARM_CYCLES]
// Prints the cold cycle, then: RESULT cycles=N cold=MS median=MS p90=MS min=MS max=MS
// The first cycle of the process is the cold one (JIT, first socket, first HttpClient); it is
// reported apart and not part of the warm statistics. Each cycle is what one test pays for its HTTP peer: start it,
// one GET answered "Hello, World!", stop and dispose it. TinyHttp and Kestrel are bare servers; StubServer and
// InMemoryServer (TinyHttp.Testing) and WireMock.Net are test doubles (docs/testing-compared.md). Run one kind per process.
Func<Task>? cycle = args.Length < 1 ? null : args[0] switch
{
    "TinyHttp" => TinyHttpCycleAsync,
    "Kestrel" => KestrelCycleAsync,
    "StubServer" => StubServerCycleAsync,
    "InMemoryServer" => InMemoryServerCycleAsync,
    "WireMock" => WireMockCycleAsync,
    _ => null,
};
if (cycle is null)
{
    Console.Error.WriteLine("usage: TestDoubleCost (TinyHttp|Kestrel|StubServer|InMemoryServer|WireMock) [WARM_CYCLES]");
    return 2;
}
int cycles = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;

var clock = Stopwatch.StartNew();
await cycle();
double cold = clock.Elapsed.TotalMilliseconds;
Console.WriteLine($"cold {cold:F3} ms");

var warm = new List<double>(cycles);
for (int i = 0; i < cycles; i++)
{
    clock.Restart();
    await cycle();
    warm.Add(clock.Elapsed.TotalMilliseconds);
}
double[] sorted = warm.Order().ToArray();
double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
double p90 = sorted[Math.Clamp((int)Math.Ceiling(0.9 * sorted.Length) - 1, 0, sorted.Length - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT cycles={cycles} cold={cold:F3} median={median:F3} p90={p90:F3} min={sorted[0]:F3} max={sorted[^1]:F3}"));
return 0;

static async Task TinyHttpCycleAsync()
{
    var options = new TinyHttpServerOptions();
    options.Listen(IPAddress.Loopback, 0);
    var server = new TinyHttpServer(options, static (request, response) =>
    {
        response.ContentType = "text/plain";
        response.SetBody(BenchEndpoints.Hello);
    });
    server.Start();
    await GetHelloAsync(server.BaseAddress);
    await server.DisposeAsync();
}

static async Task KestrelCycleAsync()
{
    WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    WebApplication app = builder.Build();
    app.Run(static context =>
    {
        context.Response.ContentType = "text/plain";
        context.Response.ContentLength = BenchEndpoints.Hello.Length;
        return context.Response.Body.WriteAsync(BenchEndpoints.Hello).AsTask();
    });
    await app.StartAsync();
    string address = app.Urls.First();
    await GetHelloAsync(new Uri(address));
    await app.StopAsync();
    await app.DisposeAsync();
}

// TinyHttp.Testing's stub: a route, the GET through the stub's own client, then the stub disposed.
static async Task StubServerCycleAsync()
{
    await using StubServer stub = await StubServer.StartAsync();
    stub.AddRoute("GET", BenchEndpoints.HelloPath).Respond(StubResponse.Text("Hello, World!"));
    await GetHelloAsync(stub.BaseAddress);
}

// No socket at all: the request and response bytes go through TinyHttp's engine over in-memory pipes.
static async Task InMemoryServerCycleAsync()
{
    await using var server = new InMemoryServer(static (request, response) =>
    {
        response.ContentType = "text/plain";
        response.SetBody(BenchEndpoints.Hello);
    });
    RawHttpResponse response = await server.SendAsync($"GET {BenchEndpoints.HelloPath} HTTP/1.1\r\nHost: bench\r\n\r\n");
    if (response.BodyText != "Hello, World!")
    {
        throw new InvalidOperationException($"Unexpected body '{response.BodyText}'.");
    }
}

static async Task WireMockCycleAsync()
{
    using WireMockServer server = WireMockServer.Start();
    server.Given(Request.Create().WithPath(BenchEndpoints.HelloPath).UsingGet())
        .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody("Hello, World!"));
    await GetHelloAsync(new Uri(server.Url! + "/"));
    server.Stop();
}

static async Task GetHelloAsync(Uri baseAddress)
{
    using var client = new HttpClient();
    string body = await client.GetStringAsync(new Uri(baseAddress, BenchEndpoints.HelloPath));
    if (body != "Hello, World!")
    {
        throw new InvalidOperationException($"Unexpected body '{body}'.");
    }
}
