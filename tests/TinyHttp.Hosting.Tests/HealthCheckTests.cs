using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace TinyHttp.Hosting.Tests;

/// <summary>Health-check paths answer as ASP.NET Core's health checks middleware does, so probes work unchanged.</summary>
public class HealthCheckTests
{
    [Theory]
    [InlineData(HealthStatus.Healthy, 200)]
    [InlineData(HealthStatus.Degraded, 200)]
    [InlineData(HealthStatus.Unhealthy, 503)]
    public async Task TheReportsStatus_IsTheStatusCode_AndTheJsonBody(HealthStatus status, int statusCode)
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddHealthChecks().AddCheck("switch", new FixedCheck(status, "as the test set it"));
        builder.AddTinyHttpServer().MapHealthChecks();
        using IHost host = builder.Build();
        await host.StartAsync();
        using HttpClient client = TestHost.Client(host);

        using HttpResponseMessage response = await client.GetAsync("/healthz");

        Assert.Equal(statusCode, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store, no-cache", response.Headers.CacheControl?.ToString());
        Assert.Contains("no-cache", response.Headers.Pragma.ToString(), StringComparison.Ordinal);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(status.ToString(), body.RootElement.GetProperty("status").GetString());
        Assert.True(TimeSpan.TryParse(body.RootElement.GetProperty("totalDuration").GetString(), out _));
        JsonElement entry = body.RootElement.GetProperty("entries").GetProperty("switch");
        Assert.Equal(status.ToString(), entry.GetProperty("status").GetString());
        Assert.Equal("as the test set it", entry.GetProperty("description").GetString());
        await host.StopAsync();
    }

    [Fact]
    public async Task EachPath_RunsTheChecksItsPredicateChooses_AndOtherPathsGoToTheHandler()
    {
        HostApplicationBuilder builder = TestHost.Builder();
        builder.Services.AddHealthChecks()
            .AddCheck("process", new FixedCheck(HealthStatus.Healthy, null), tags: ["live"])
            .AddCheck("database", new FixedCheck(HealthStatus.Unhealthy, "connection refused"), tags: ["ready"]);
        builder.AddTinyHttpServer()
            .UseHandler((request, response, _) =>
            {
                response.SetBody($"handler: {request.Path}");
                return Task.CompletedTask;
            })
            .MapHealthChecks("/healthz", check => check.Tags.Contains("live"))
            .MapHealthChecks("/readyz", check => check.Tags.Contains("ready"));
        using IHost host = builder.Build();
        await host.StartAsync();
        using HttpClient client = TestHost.Client(host);

        using HttpResponseMessage live = await client.GetAsync("/healthz");
        using HttpResponseMessage ready = await client.GetAsync("/readyz");
        using HttpResponseMessage head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/readyz"));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using (JsonDocument body = JsonDocument.Parse(await live.Content.ReadAsStringAsync()))
        {
            Assert.Equal(["process"], body.RootElement.GetProperty("entries").EnumerateObject().Select(entry => entry.Name));
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("connection refused", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal("handler: /healthz/extra", await client.GetStringAsync("/healthz/extra"));
        await host.StopAsync();
    }

    private sealed class FixedCheck(HealthStatus status, string? description) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(new HealthCheckResult(status, description));
    }
}
