using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace TinyHttp.Tests.Https;

/// <summary>
/// HTTPS as users' own tools see it: curl verifying the certificate against a PEM file, and openssl s_client showing
/// the negotiated protocol and ALPN. .ci/run installs both.
/// </summary>
public class OutsideClientTests
{
    private static readonly Lazy<X509Certificate2> Certificate = new(() => HttpsServerTests.MakeCertificate("localhost"));

    [Fact]
    public async Task Curl_WithTheCertificateAsCa_GetsTheResponse()
    {
        await using TinyHttpServer server = Start();
        string pem = WritePem();
        try
        {
            var port = ((IPEndPoint)server.EndPoints[0]).Port;
            (int exit, string output) = await RunAsync("curl", $"--silent --show-error --include --cacert {pem} https://localhost:{port}/hello");

            Assert.True(exit == 0, output);
            Assert.StartsWith("HTTP/1.1 200 OK", output);
            Assert.EndsWith("Hello over TLS", output);
        }
        finally
        {
            File.Delete(pem);
        }
    }

    [Fact]
    public async Task Curl_WithoutTrust_RefusesTheSelfSignedCertificate()
    {
        await using TinyHttpServer server = Start();
        var port = ((IPEndPoint)server.EndPoints[0]).Port;

        (int exit, string output) = await RunAsync("curl", $"--silent --show-error https://localhost:{port}/hello");

        Assert.True(exit == 60, $"curl exit {exit}: {output}"); // 60: peer certificate cannot be authenticated
    }

    [Fact]
    public async Task OpensslSClient_NegotiatesTls13AndHttp11_AndSendsExactBytes()
    {
        await using TinyHttpServer server = Start();
        var port = ((IPEndPoint)server.EndPoints[0]).Port;

        (int exit, string output) = await RunAsync("openssl",
            $"s_client -connect 127.0.0.1:{port} -servername localhost -alpn http/1.1 -ign_eof -quiet -verify_quiet",
            stdin: "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        (int _, string details) = await RunAsync("openssl",
            $"s_client -connect 127.0.0.1:{port} -servername localhost -alpn http/1.1",
            stdin: "");

        Assert.True(exit == 0, output);
        Assert.Contains("HTTP/1.1 200 OK\r\n", output);
        Assert.Contains("\r\n\r\nHello over TLS", output);
        Assert.Contains("New, TLSv1.3, Cipher is ", details);
        Assert.Contains("ALPN protocol: http/1.1", details);
    }

    [Fact]
    public async Task OpensslSClient_OfferingOnlyTls11_IsRefused()
    {
        await using TinyHttpServer server = Start();
        var port = ((IPEndPoint)server.EndPoints[0]).Port;

        (int exit, _) = await RunAsync("openssl", $"s_client -connect 127.0.0.1:{port} -tls1_1 -brief", stdin: "");

        Assert.NotEqual(0, exit);
    }

    private static TinyHttpServer Start()
    {
        var options = new TinyHttpServerOptions().Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = Certificate.Value });
        var server = new TinyHttpServer(options, (request, response) => response.SetBody("Hello over TLS"));
        server.Start();
        return server;
    }

    private static string WritePem()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tinyhttp-test-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, Certificate.Value.ExportCertificatePem());
        return path;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string arguments, string? stdin = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start; .ci/run installs it.");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        // A bound on a hung tool, not a timing assertion.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(bound.Token);
        return (process.ExitCode, await output + await errors);
    }
}
