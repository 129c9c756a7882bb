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

// Usage: TestDoubleCost (TinyHttp|Kestrel) [WARM_CYCLES]
// Prints one line per cycle, then: RESULT cycles=N cold=MS median=MS p90=MS min=MS max=MS
// The first cycle of the process is the cold one (JIT, first socket, first HttpClient); it is
// reported apart and not part of the warm statistics.
if (args.Length < 1 || args[0] is not ("TinyHttp" or "Kestrel"))
{
    Console.Error.WriteLine("usage: TestDoubleCost (TinyHttp|Kestrel) [WARM_CYCLES]");
    return 2;
}
Func<Task> cycle = args[0] == "TinyHttp" ? TinyHttpCycleAsync : KestrelCycleAsync;
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

static async Task GetHelloAsync(Uri baseAddress)
{
    using var client = new HttpClient();
    string body = await client.GetStringAsync(new Uri(baseAddress, BenchEndpoints.HelloPath));
    if (body != "Hello, World!")
    {
        throw new InvalidOperationException($"Unexpected body '{body}'.");
    }
}
