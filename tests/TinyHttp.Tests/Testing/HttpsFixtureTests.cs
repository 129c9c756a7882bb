using System;
using System.Net;
using System.Net.Http;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

/// <summary>An HTTPS fixture the way a user declares one: a derived class with a parameterless constructor.</summary>
public sealed class SecureEchoServer() : ServerFixture(
    (request, response) => response.SetBody(request.Tls is { } tls ? $"{request.Path} over TLS, ALPN '{tls.ApplicationProtocol}'" : $"{request.Path} in plain text"),
    https: true);

/// <summary>An HTTPS stub server as an xunit class fixture.</summary>
public sealed class SecureStub() : StubServerFixture(https: true);

public sealed class HttpsFixtureTests : IClassFixture<SecureEchoServer>
{
    private readonly SecureEchoServer _server;

    public HttpsFixtureTests(SecureEchoServer server) => _server = server;

    [Fact]
    public async Task Https_fixture_serves_its_pinned_client_and_the_request_sees_the_tls_session()
    {
        HttpClient client = _server.CreateClient();

        // HttpClient offers ALPN only when it may use HTTP/2; over HTTP/1.1 it sends none.
        Assert.Equal("/hello over TLS, ALPN ''", await client.GetStringAsync("/hello"));
        Assert.Equal(new Uri($"https://127.0.0.1:{_server.Port}/"), _server.BaseAddress);
        Assert.Same(TestCertificate.Localhost, _server.Certificate);
    }

    [Fact]
    public async Task Https_fixture_is_not_trusted_by_a_client_that_trusts_only_the_machine()
    {
        using var client = new HttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(_server.BaseAddress));
    }

    [Fact]
    public async Task Raw_connection_over_tls_sends_exact_bytes_and_reads_pipelined_responses()
    {
        RawHttpConnection connection = await _server.ConnectRawAsync();

        await connection.SendAsync("GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n");
        var responses = await connection.ReadResponsesAsync(2);

        Assert.Equal("/one over TLS, ALPN 'http/1.1'", responses[0].BodyText);
        Assert.Equal("/two over TLS, ALPN 'http/1.1'", responses[1].BodyText);
        Assert.Equal("HTTP/1.1 200 OK", responses[1].StatusLine);
    }

    [Fact]
    public async Task Raw_tls_connection_sends_slowly_inside_the_session()
    {
        await using RawHttpConnection connection = await RawHttpConnection.ConnectTlsAsync(_server.Server.EndPoints[0], TestCertificate.Localhost);

        await connection.SendSlowlyAsync("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", bytesPerSend: 7, TimeSpan.Zero);

        Assert.Equal("/slow over TLS, ALPN 'http/1.1'", (await connection.ReadResponseAsync()).BodyText);
    }

    [Fact]
    public async Task Raw_connect_to_an_https_uri_says_to_connect_with_tls()
    {
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => RawHttpConnection.ConnectAsync(_server.BaseAddress));

        Assert.Contains("ConnectTlsAsync", error.Message);
    }

    [Fact]
    public async Task Raw_shutdown_send_over_tls_ends_the_session_and_the_server_answers_then_closes()
    {
        RawHttpConnection connection = await _server.ConnectRawAsync();
        await connection.SendAsync("GET /last HTTP/1.1\r\nHost: x\r\n\r\n");

        connection.ShutdownSend();

        Assert.Equal("/last over TLS, ALPN 'http/1.1'", (await connection.ReadResponseAsync()).BodyText);
        Assert.Empty(await connection.ReadToEndAsync());
    }

    [Fact]
    public async Task Raw_read_to_end_over_tls_reads_until_the_server_closes()
    {
        RawHttpConnection connection = await _server.ConnectRawAsync();
        await connection.SendAsync("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        RawHttpResponse response = RawHttpResponse.Parse(await connection.ReadToEndAsync());

        Assert.Equal("/bye over TLS, ALPN 'http/1.1'", response.BodyText);
        Assert.Equal("close", response.GetHeader("Connection"));
    }
}

public sealed class HttpsStubServerTests : IClassFixture<SecureStub>
{
    private readonly SecureStub _stub;

    public HttpsStubServerTests(SecureStub stub)
    {
        _stub = stub;
        _stub.Reset();
    }

    [Fact]
    public async Task Https_stub_started_by_hand_records_the_request_its_client_sent()
    {
        await using StubServer stub = await StubServer.StartAsync(https: true);
        stub.AddRoute("GET", "/orders/{id}").Respond(StubResponse.Json("""{"id":7}"""));
        HttpClient client = stub.CreateClient();

        Assert.Equal("""{"id":7}""", await client.GetStringAsync("/orders/7"));

        Assert.Equal("https", stub.BaseAddress.Scheme);
        RecordedRequest request = Assert.Single(stub.ReceivedRequests);
        Assert.Equal("/orders/7", request.Path);
        Assert.Equal($"127.0.0.1:{stub.Port}", request.GetHeader("Host"));
        Assert.Same(TestCertificate.Localhost, stub.Certificate);
    }

    [Fact]
    public async Task Https_stub_as_a_class_fixture_records_the_request_its_client_sent()
    {
        _stub.AddRoute("POST", "/hooks").Respond(StubResponse.Status(202));

        using HttpResponseMessage response = await _stub.CreateClient().PostAsync("/hooks", new StringContent("ping"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("ping", Assert.Single(_stub.ReceivedRequests).BodyText);
        Assert.Equal("https", _stub.BaseAddress.Scheme);
    }
}

public sealed class HttpsByHandTests
{
    [Fact]
    public async Task Raw_read_timeout_over_tls_shows_the_bytes_that_arrived()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync(
            async (request, response, aborted) =>
            {
                response.ContentLength = 10;
                await response.WriteAsync("12345"u8.ToArray(), aborted);
                await response.FlushAsync(aborted);
                await release.Task.WaitAsync(aborted);
            },
            https: true);
        try
        {
            RawHttpConnection connection = await server.ConnectRawAsync();
            connection.ReadTimeout = TimeSpan.FromMilliseconds(300);
            await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

            TimeoutException error = await Assert.ThrowsAsync<TimeoutException>(() => connection.ReadResponseAsync());

            Assert.Contains("waiting for a complete response", error.Message);
            Assert.EndsWith("\\r\\n\\r\\n12345\"", error.Message);
        }
        finally
        {
            release.SetResult();
        }
    }

    [Fact]
    public async Task Raw_abort_over_tls_resets_the_connection_and_the_handler_sees_it()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var abortSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync(
            async (request, response, aborted) =>
            {
                using CancellationTokenRegistration registration = aborted.Register(() => abortSeen.TrySetResult());
                started.SetResult();
                await abortSeen.Task;
            },
            https: true);
        RawHttpConnection connection = await server.ConnectRawAsync();
        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        connection.Abort();

        await abortSeen.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_plain_fixture_has_no_certificate_and_says_how_to_get_one()
    {
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync((request, response) => { });

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => server.Certificate);

        Assert.Contains("https: true", error.Message);
    }

    [Fact]
    public void Https_with_options_that_already_have_endpoints_is_refused()
    {
        var options = new TinyHttpServerOptions().Listen(IPAddress.Loopback, 0);

        ArgumentException error = Assert.Throws<ArgumentException>(() => new TinyHttpServerFixture((request, response) => { }, options, https: true));

        Assert.Contains("already have endpoints", error.Message);
    }

    [Fact]
    public async Task Https_fixture_keeps_the_options_it_is_given()
    {
        var options = new TinyHttpServerOptions { MaxRequestHeaderCount = 1 };
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync((request, response) => { }, options, https: true);
        RawHttpConnection connection = await server.ConnectRawAsync();

        await connection.SendAsync("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\n\r\n");

        Assert.Equal(431, (await connection.ReadResponseAsync()).StatusCode);
    }

    [Fact]
    public async Task Raw_tls_connect_to_a_server_with_another_certificate_names_what_it_presented()
    {
        using X509Certificate2 other = TestCertificate.Create("other");
        var options = new TinyHttpServerOptions().Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = other });
        await using var server = new TinyHttpServer(options, (request, response) => { });
        server.Start();

        AuthenticationException error = await Assert.ThrowsAsync<AuthenticationException>(
            () => RawHttpConnection.ConnectTlsAsync(server.EndPoints[0], TestCertificate.Localhost));

        Assert.Contains("presented the certificate 'CN=other'", error.Message);
        Assert.Contains("not the trusted 'CN=localhost'", error.Message);
    }

    [Fact]
    public async Task Raw_tls_connect_to_the_trusted_certificate_for_another_host_says_so()
    {
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync((request, response) => { }, https: true);

        AuthenticationException error = await Assert.ThrowsAsync<AuthenticationException>(
            () => RawHttpConnection.ConnectTlsAsync(server.Server.EndPoints[0], server.Certificate, serverName: "elsewhere.test"));

        Assert.Contains("presented the trusted certificate 'CN=localhost', but it is not for 'elsewhere.test'", error.Message);
    }

    [Fact]
    public async Task Raw_tls_connect_with_a_server_name_sends_it_with_sni()
    {
        using X509Certificate2 named = TestCertificate.Create("api.test");
        string? seen = null;
        var options = new TinyHttpServerOptions().Listen(IPAddress.Loopback, 0, new HttpsOptions { ServerCertificate = named });
        await using var server = new TinyHttpServer(options, (request, response) => seen = request.Tls?.ServerName);
        server.Start();
        await using RawHttpConnection connection = await RawHttpConnection.ConnectTlsAsync(server.EndPoints[0], named, serverName: "api.test");

        await connection.SendAsync("GET / HTTP/1.1\r\nHost: api.test\r\n\r\n");
        await connection.ReadResponseAsync();

        Assert.Equal("api.test", seen);
    }
}
