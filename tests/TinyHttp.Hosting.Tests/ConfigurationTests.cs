using System;
using System.IO;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace TinyHttp.Hosting.Tests;

/// <summary>Options from the TinyHttp section: every limit by name, endpoints as URLs, and a message naming each bad key.</summary>
public class ConfigurationTests
{
    [Fact]
    public void EveryLimit_IsBoundByName()
    {
        TinyHttpServerOptions options = Bind("""
            {
              "TinyHttp": {
                "MaxRequestLineLength": 4096,
                "MaxRequestHeadersTotalSize": 16384,
                "MaxRequestHeaderCount": 40,
                "MaxRequestBodySize": 1048576,
                "MaxUnreadRequestBodyToDrain": 1024,
                "RequestHeadersTimeout": "00:00:07",
                "KeepAliveTimeout": "00:01:00",
                "MinRequestBodyDataRate": { "BytesPerSecond": 100, "GracePeriod": "00:00:09" },
                "MinResponseDataRate": { "BytesPerSecond": 50.5, "GracePeriod": "00:00:02" },
                "MaxConcurrentConnections": 12,
                "ShutdownTimeout": "00:00:03",
                "ResponseBufferSize": 0
              }
            }
            """);

        Assert.Equal(4096, options.MaxRequestLineLength);
        Assert.Equal(16384, options.MaxRequestHeadersTotalSize);
        Assert.Equal(40, options.MaxRequestHeaderCount);
        Assert.Equal(1048576, options.MaxRequestBodySize);
        Assert.Equal(1024, options.MaxUnreadRequestBodyToDrain);
        Assert.Equal(TimeSpan.FromSeconds(7), options.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), options.KeepAliveTimeout);
        Assert.Equal((100d, TimeSpan.FromSeconds(9)), (options.MinRequestBodyDataRate!.BytesPerSecond, options.MinRequestBodyDataRate.GracePeriod));
        Assert.Equal((50.5d, TimeSpan.FromSeconds(2)), (options.MinResponseDataRate!.BytesPerSecond, options.MinResponseDataRate.GracePeriod));
        Assert.Equal(12, options.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromSeconds(3), options.ShutdownTimeout);
        Assert.Equal(0, options.ResponseBufferSize);
    }

    [Fact]
    public void EmptyValues_TurnOffTheLimitsThatCanBeOff_AndARatesKeysReplaceOnlyThemselves()
    {
        TinyHttpServerOptions options = Bind("""
            {
              "TinyHttp": {
                "MaxRequestBodySize": null,
                "MaxConcurrentConnections": "",
                "MinRequestBodyDataRate": null,
                "MinResponseDataRate": { "GracePeriod": "00:00:20" }
              }
            }
            """);

        Assert.Null(options.MaxRequestBodySize);
        Assert.Null(options.MaxConcurrentConnections);
        Assert.Null(options.MinRequestBodyDataRate);
        Assert.Equal((240d, TimeSpan.FromSeconds(20)), (options.MinResponseDataRate!.BytesPerSecond, options.MinResponseDataRate.GracePeriod));
    }

    [Fact]
    public void AbsentKeys_KeepTheDefaults_AndCodeConfigurationRunsAfterTheSection()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration("""{ "TinyHttp": { "MaxRequestHeaderCount": 40 } }"""));
        services.AddTinyHttpServer().Configure(options => options.MaxRequestHeaderCount++);
        TinyHttpServerOptions options = services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<TinyHttpServerOptions>>().Get("");

        var defaults = new TinyHttpServerOptions();
        Assert.Equal(41, options.MaxRequestHeaderCount);
        Assert.Equal(defaults.MaxRequestLineLength, options.MaxRequestLineLength);
        Assert.Equal(defaults.MinRequestBodyDataRate!.ToString(), options.MinRequestBodyDataRate!.ToString());
        Assert.Equal(defaults.KeepAliveTimeout, options.KeepAliveTimeout);
    }

    /// <summary>
    /// Why the package binds a shape of its own: the plain binder (Configure&lt;TinyHttpServerOptions&gt;(section)) finds
    /// the MinDataRate the options already hold and binds into it; its properties are read-only, so nothing changes.
    /// </summary>
    [Fact]
    public void ThePlainBinder_DropsAConfiguredRate_WhichIsWhyThePackageDoesNotUseIt()
    {
        IConfiguration configuration = Configuration("""{ "TinyHttp": { "MinRequestBodyDataRate": { "BytesPerSecond": 100, "GracePeriod": "00:00:09" } } }""");
        var services = new ServiceCollection();
        services.Configure<TinyHttpServerOptions>(configuration.GetSection("TinyHttp"));
        TinyHttpServerOptions plain = services.BuildServiceProvider().GetRequiredService<IOptions<TinyHttpServerOptions>>().Value;
        Assert.Equal(240, plain.MinRequestBodyDataRate!.BytesPerSecond);

        Assert.Equal(100, Bind(configuration).MinRequestBodyDataRate!.BytesPerSecond);
    }

    [Fact]
    public void EndpointUrls_BecomeEndpoints()
    {
        TinyHttpServerOptions options = Bind("""
            { "TinyHttp": { "Endpoints": [ "http://127.0.0.1:8080", "http://[::]:80", "http://0.0.0.0", "http://*:81", "HTTP://unix:/run/app.sock" ] } }
            """);

        Assert.Equal(
            ["127.0.0.1:8080", "[::]:80", "0.0.0.0:80", "*:81", "/run/app.sock"],
            [.. System.Linq.Enumerable.Select(options.EndPoints, Describe)]);

        static string Describe(EndPoint endPoint) => endPoint switch
        {
            IPEndPoint { Port: 81 } => "*:81",   // ListenAnyIP: [::] dual-mode, or 0.0.0.0 without IPv6
            _ => endPoint.ToString()!,
        };
    }

    [Fact]
    public void OneEndpointString_AsAnEnvironmentVariableGivesIt_ReplacesTheList()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("""{ "TinyHttp": { "Endpoints": [ "http://127.0.0.1:8080" ] } }""")))
            .AddInMemoryCollection([new("TinyHttp:Endpoints", "http://127.0.0.1:9001; http://127.0.0.1:9002")])
            .Build();

        Assert.Equal(["127.0.0.1:9001", "127.0.0.1:9002"], [.. System.Linq.Enumerable.Select(Bind(configuration).EndPoints, e => e.ToString()!)]);
    }

    [Theory]
    [InlineData("\"MaxRequestLineLength\": 15", "TinyHttp:MaxRequestLineLength is 15; it must be at least 16.")]
    [InlineData("\"MaxRequestHeadersTotalSize\": 63", "TinyHttp:MaxRequestHeadersTotalSize is 63; it must be at least 64.")]
    [InlineData("\"MaxRequestHeaderCount\": 0", "TinyHttp:MaxRequestHeaderCount is 0; it must be at least 1.")]
    [InlineData("\"MaxRequestBodySize\": -1", "TinyHttp:MaxRequestBodySize is -1; it must be 0 or more, or empty (null) for no limit.")]
    [InlineData("\"MaxUnreadRequestBodyToDrain\": -1", "TinyHttp:MaxUnreadRequestBodyToDrain is -1; it must be 0 or more.")]
    [InlineData("\"RequestHeadersTimeout\": \"00:00:00\"", "TinyHttp:RequestHeadersTimeout is 00:00:00; it must be more than zero.")]
    [InlineData("\"KeepAliveTimeout\": \"-00:00:01\"", "TinyHttp:KeepAliveTimeout is -00:00:01; it must be more than zero.")]
    [InlineData("\"MinRequestBodyDataRate\": { \"BytesPerSecond\": 0 }", "TinyHttp:MinRequestBodyDataRate:BytesPerSecond is 0; it must be more than zero (to turn the check off, set TinyHttp:MinRequestBodyDataRate to null or \"\").")]
    [InlineData("\"MinResponseDataRate\": { \"GracePeriod\": \"-00:00:01\" }", "TinyHttp:MinResponseDataRate:GracePeriod is -00:00:01; it must be zero or more.")]
    [InlineData("\"MaxConcurrentConnections\": 0", "TinyHttp:MaxConcurrentConnections is 0; it must be at least 1, or empty (null) for no limit.")]
    [InlineData("\"ShutdownTimeout\": \"-00:00:01\"", "TinyHttp:ShutdownTimeout is -00:00:01; it must be zero or more.")]
    [InlineData("\"ResponseBufferSize\": -1", "TinyHttp:ResponseBufferSize is -1; it must be 0 or more.")]
    [InlineData("\"MaxRequestLineLength\": \"8k\"", "Failed to convert configuration value '8k' at 'TinyHttp:MaxRequestLineLength' to type 'System.Int32'.")]
    [InlineData("\"KeepAliveTimeout\": \"30s\"", "Failed to convert configuration value '30s' at 'TinyHttp:KeepAliveTimeout' to type 'System.TimeSpan'.")]
    [InlineData("\"MaxRequestLineLenght\": 100", "TinyHttp:MaxRequestLineLenght is not a TinyHttp setting; TinyHttp may hold Endpoints, Certificate, MaxRequestLineLength,")]
    [InlineData("\"MinResponseDataRate\": { \"BytesPerSec\": 5 }", "TinyHttp:MinResponseDataRate:BytesPerSec is not a TinyHttp setting; TinyHttp:MinResponseDataRate may hold BytesPerSecond, GracePeriod.")]
    [InlineData("\"Certificate\": { \"File\": \"a.pem\" }", "TinyHttp:Certificate:File is not a TinyHttp setting; TinyHttp:Certificate may hold Path, KeyPath, Password.")]
    [InlineData("\"Endpoints\": [ \"tcp://127.0.0.1:80\" ]", "TinyHttp:Endpoints:0 is 'tcp://127.0.0.1:80': it must start with http:// or https://. Write an endpoint as http://127.0.0.1:8080,")]
    [InlineData("\"Endpoints\": [ \"http://127.0.0.1:8080\", \"http://example.com:80\" ]", "TinyHttp:Endpoints:1 is 'http://example.com:80': the host 'example.com' is not an IP address, localhost, * or +")]
    [InlineData("\"Endpoints\": [ \"http://127.0.0.1:70000\" ]", "TinyHttp:Endpoints:0 is 'http://127.0.0.1:70000': the port '70000' is not a number from 0 to 65535.")]
    [InlineData("\"Endpoints\": [ \"http://127.0.0.1:80/api\" ]", "TinyHttp:Endpoints:0 is 'http://127.0.0.1:80/api': an endpoint has no path or query")]
    [InlineData("\"Endpoints\": [ \"http://[::1:80\" ]", "TinyHttp:Endpoints:0 is 'http://[::1:80': an IPv6 address must be closed with ']'.")]
    [InlineData("\"Endpoints\": [ \"http://unix:run.sock\" ]", "TinyHttp:Endpoints:0 is 'http://unix:run.sock': a Unix socket needs an absolute path")]
    [InlineData("\"Endpoints\": [ \"https://127.0.0.1:8443\" ]", "TinyHttp:Endpoints:0 is an https:// endpoint, but TinyHttp:Certificate:Path is not set;")]
    [InlineData("\"Endpoints\": [ \"https://127.0.0.1:8443\" ], \"Certificate\": { \"Path\": \"/no/such/cert.pem\" }", "TinyHttp:Certificate:Path is '/no/such/cert.pem', and there is no file at /no/such/cert.pem.")]
    public async Task ABadValue_FailsTheHostsStart_WithAMessageNamingItsKey(string setting, string expected)
    {
        HostApplicationBuilder builder = TestHost.Builder($$"""{ "TinyHttp": { {{setting}} } }""");
        builder.AddTinyHttpServer();
        using IHost host = builder.Build();

        OptionsValidationException failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryBadKey_IsReported_NotOnlyTheFirst_AndANamedServersSectionNamesItsOwnPath()
    {
        HostApplicationBuilder builder = TestHost.Builder("""
            { "TinyHttp": { "MaxRequestHeaderCount": 0, "admin": { "MaxRequestHeaderCount": 0, "KeepAliveTimeout": "00:00:00" } } }
            """);
        builder.AddTinyHttpServer();
        builder.AddTinyHttpServer("admin");
        using IHost host = builder.Build();

        Exception failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        string message = failure is AggregateException aggregate ? string.Join("\n", System.Linq.Enumerable.Select(aggregate.InnerExceptions, e => e.Message)) : failure.Message;
        Assert.Contains("TinyHttp:MaxRequestHeaderCount is 0", message, StringComparison.Ordinal);
        Assert.Contains("TinyHttp:admin:MaxRequestHeaderCount is 0", message, StringComparison.Ordinal);
        Assert.Contains("TinyHttp:admin:KeepAliveTimeout is 00:00:00", message, StringComparison.Ordinal);
        Assert.DoesNotContain("TinyHttp:admin is not a TinyHttp setting", message, StringComparison.Ordinal);
    }

    /// <summary>The package checks configured limits with the core's bounds: the lowest value it accepts, the core accepts, and one less the core refuses too.</summary>
    [Theory]
    [InlineData(nameof(TinyHttpServerOptions.MaxRequestLineLength), 16)]
    [InlineData(nameof(TinyHttpServerOptions.MaxRequestHeadersTotalSize), 64)]
    [InlineData(nameof(TinyHttpServerOptions.MaxRequestHeaderCount), 1)]
    [InlineData(nameof(TinyHttpServerOptions.MaxRequestBodySize), 0)]
    [InlineData(nameof(TinyHttpServerOptions.MaxUnreadRequestBodyToDrain), 0)]
    [InlineData(nameof(TinyHttpServerOptions.MaxConcurrentConnections), 1)]
    [InlineData(nameof(TinyHttpServerOptions.ResponseBufferSize), 0)]
    public void TheLowestValueThePackageAccepts_IsTheCoresLowest(string key, int lowest)
    {
        TinyHttpServerOptions accepted = Bind($$"""{ "TinyHttp": { "{{key}}": {{lowest}} } }""");
        using (var server = new TinyHttpServer(accepted, (_, _) => { }))
        {
            server.Start();
        }

        var refused = new TinyHttpServerOptions();
        typeof(TinyHttpServerOptions).GetProperty(key)!.SetValue(refused, key is "MaxRequestBodySize" or "MaxUnreadRequestBodyToDrain" ? (object)(long)(lowest - 1) : lowest - 1);
        using var refusing = new TinyHttpServer(refused, (_, _) => { });
        Assert.Throws<ArgumentOutOfRangeException>(refusing.Start);
        Assert.Throws<OptionsValidationException>(() => Bind($$"""{ "TinyHttp": { "{{key}}": {{lowest - 1}} } }"""));
    }

    private static IConfiguration Configuration(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static TinyHttpServerOptions Bind(string json) => Bind(Configuration(json));

    private static TinyHttpServerOptions Bind(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddTinyHttpServer();
        return services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<TinyHttpServerOptions>>().Get("");
    }
}
