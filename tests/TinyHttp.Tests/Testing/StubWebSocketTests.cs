using System;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

/// <summary>StubServer WebSocket routes, driven by the runtime's ClientWebSocket over real sockets.</summary>
public sealed class StubWebSocketTests
{
    [Fact]
    public async Task Scripted_route_greets_expects_the_clients_message_replies_and_closes_normally()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/events").Respond(StubResponse.WebSocket(ws => ws
            .Send("hello")
            .Expect("subscribe")
            .Send("""{"price":1}""")
            .Close(WebSocketCloseStatus.NormalClosure, "done")));
        using var client = new ClientWebSocket();
        await client.ConnectAsync(WebSocketUri(stub, "/events"), CancellationToken.None);

        Assert.Equal("hello", await ReceiveTextAsync(client));
        await SendTextAsync(client, "subscribe");
        Assert.Equal("""{"price":1}""", await ReceiveTextAsync(client));
        WebSocketReceiveResult closing = await client.ReceiveAsync(new byte[16], CancellationToken.None);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None);

        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        Assert.Equal("done", client.CloseStatusDescription);
        Assert.Equal(WebSocketState.Closed, client.State);
        stub.AssertWebSocketScriptsCompleted();
        RecordedRequest request = Assert.Single(stub.ReceivedRequests);
        Assert.Equal("websocket", request.GetHeader("Upgrade"));
        RecordedWebSocketMessage received = Assert.Single(request.WebSocket!.ReceivedMessages);
        Assert.Equal(WebSocketMessageType.Text, received.MessageType);
        Assert.Equal("subscribe", received.Text);
        Assert.Null(request.WebSocket.Failure);
    }

    [Fact]
    public async Task The_stub_records_the_clients_messages_in_order_during_and_after_the_script()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/feed").Respond(StubResponse.WebSocket(ws => ws
            .Send("ready")
            .Expect("first")
            .Expect(new byte[] { 1, 2, 3 })
            .Expect(message => message.Text.StartsWith("ack ", StringComparison.Ordinal), "an ack")));
        using var client = new ClientWebSocket();
        await client.ConnectAsync(WebSocketUri(stub, "/feed"), CancellationToken.None);
        Assert.Equal("ready", await ReceiveTextAsync(client));

        await SendTextAsync(client, "first");
        await client.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
        // One message in two frames: recorded whole.
        await client.SendAsync("ack "u8.ToArray(), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);
        await client.SendAsync("42"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        await SendTextAsync(client, "after the script");
        // The stub answers the client's Close only after recording everything sent before it.
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);

        Assert.Equal(WebSocketState.Closed, client.State);
        stub.AssertWebSocketScriptsCompleted();
        RecordedWebSocket session = Assert.Single(stub.ReceivedRequests).WebSocket!;
        Assert.Collection(
            session.ReceivedMessages,
            message => Assert.Equal("text \"first\"", message.ToString()),
            message =>
            {
                Assert.Equal(WebSocketMessageType.Binary, message.MessageType);
                Assert.Equal(new byte[] { 1, 2, 3 }, message.Data.ToArray());
            },
            message => Assert.Equal("ack 42", message.Text),
            message => Assert.Equal("after the script", message.Text));
    }

    [Fact]
    public async Task A_mismatched_expect_closes_with_policy_violation_and_the_assertion_shows_expected_and_received()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/events").Respond(StubResponse.WebSocket(ws => ws
            .Send("hello")
            .Expect("subscribe")
            .Send("never sent")
            .Close()));
        using var client = new ClientWebSocket();
        await client.ConnectAsync(WebSocketUri(stub, "/events"), CancellationToken.None);
        Assert.Equal("hello", await ReceiveTextAsync(client));

        await SendTextAsync(client, "subscrbe");
        WebSocketReceiveResult closing = await client.ReceiveAsync(new byte[64], CancellationToken.None);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None);

        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
        Assert.Equal("Expected text \"subscribe\"", client.CloseStatusDescription);
        TinyHttpAssertionException error = Assert.Throws<TinyHttpAssertionException>(stub.AssertWebSocketScriptsCompleted);
        string nl = Environment.NewLine;
        Assert.Equal(
            $"Expected every WebSocket script to complete, but 1 of 1 did not.{nl}"
            + $"  1. GET /events → GET /events:{nl}"
            + $"     Step 2, Expect text \"subscribe\": received text \"subscrbe\".{nl}"
            + $"     Script:{nl}"
            + $"       1. Send text \"hello\"{nl}"
            + $"       2. Expect text \"subscribe\"{nl}"
            + $"       3. Send text \"never sent\"{nl}"
            + $"       4. Close 1000{nl}"
            + $"     Received 1 message:{nl}"
            + "       1. text \"subscrbe\"",
            error.Message);
        Assert.Equal("Step 2, Expect text \"subscribe\": received text \"subscrbe\".", stub.ReceivedRequests[0].WebSocket!.Failure);
    }

    [Fact]
    public async Task A_plain_get_to_a_websocket_route_gets_400_with_the_reason()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/events").Respond(StubResponse.WebSocket(ws => ws.Send("hello")));

        using HttpResponseMessage response = await stub.CreateClient().GetAsync("/events");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "TinyHttp.Testing StubServer: GET /events answers with a WebSocket, but this request is not a WebSocket upgrade "
            + "(RFC 6455 §4.1: GET over HTTP/1.1 with Upgrade: websocket and Connection: Upgrade). "
            + "It was GET over HTTP/1.1 with Upgrade: (none) and Connection: (none).\n",
            await response.Content.ReadAsStringAsync());
        TinyHttpAssertionException error = Assert.Throws<TinyHttpAssertionException>(stub.AssertWebSocketScriptsCompleted);
        Assert.Contains("The upgrade was refused with 400: this request is not a WebSocket upgrade", error.Message);
    }

    [Fact]
    public async Task Over_https_a_wss_client_that_pins_the_stubs_certificate_gets_the_subprotocol_and_the_script()
    {
        await using StubServer stub = await StubServer.StartAsync(https: true);
        stub.AddRoute("GET", "/events").Respond(StubResponse.WebSocket(
            ws => ws.Send("hello").Expect("subscribe").Close((WebSocketCloseStatus)4000, "session over"),
            subProtocol: "events.v1"));
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("events.v2");
        client.Options.AddSubProtocol("events.v1");
        byte[] pinned = stub.Certificate.GetCertHash();
        client.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(pinned);

        await client.ConnectAsync(WebSocketUri(stub, "/events"), CancellationToken.None);
        Assert.Equal("hello", await ReceiveTextAsync(client));
        await SendTextAsync(client, "subscribe");
        WebSocketReceiveResult closing = await client.ReceiveAsync(new byte[64], CancellationToken.None);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None);

        Assert.Equal("wss", WebSocketUri(stub, "/events").Scheme);
        Assert.Equal("events.v1", client.SubProtocol);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(4000, (int)client.CloseStatus!.Value);
        Assert.Equal("session over", client.CloseStatusDescription);
        stub.AssertWebSocketScriptsCompleted();
        Assert.Equal("subscribe", Assert.Single(stub.ReceivedRequests[0].WebSocket!.ReceivedMessages).Text);
    }

    [Fact]
    public async Task A_client_that_does_not_offer_the_routes_subprotocol_is_refused_with_400()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/events").Respond(StubResponse.WebSocket(ws => ws.Send("hello"), subProtocol: "events.v1"));
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol("events.v2");
        client.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(WebSocketUri(stub, "/events"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, client.HttpStatusCode);
        Assert.Equal(
            "The upgrade was refused with 400: the route speaks the subprotocol \"events.v1\", and the client offered only events.v2.",
            stub.ReceivedRequests[0].WebSocket!.Failure);
    }

    [Fact]
    public async Task A_websocket_can_follow_a_refusal_in_a_sequence_and_carry_extra_fields_on_its_101()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/events").RespondInSequence(
            StubResponse.Status(503),
            StubResponse.WebSocket(ws => ws.Send("hello")).WithHeader("X-Session", "s-1"));
        using var refused = new ClientWebSocket();
        refused.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(WebSocketUri(stub, "/events"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.HttpStatusCode);

        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;
        await client.ConnectAsync(WebSocketUri(stub, "/events"), CancellationToken.None);
        Assert.Equal("hello", await ReceiveTextAsync(client));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None);

        Assert.Equal("s-1", string.Join(",", client.HttpResponseHeaders!["X-Session"]));
        Assert.Null(stub.ReceivedRequests[0].WebSocket);
        stub.AssertWebSocketScriptsCompleted();
    }

    [Fact]
    public async Task The_assertion_fails_when_no_websocket_route_was_called()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/events").Respond(StubResponse.WebSocket(ws => ws.Send("hello")));

        TinyHttpAssertionException error = Assert.Throws<TinyHttpAssertionException>(stub.AssertWebSocketScriptsCompleted);

        Assert.Equal(
            "Expected a WebSocket exchange, but no request was answered with StubResponse.WebSocket. No requests were received.",
            error.Message);
    }

    [Fact]
    public void A_script_refuses_steps_after_its_close_and_an_invalid_close()
    {
        InvalidOperationException afterClose = Assert.Throws<InvalidOperationException>(
            () => StubResponse.WebSocket(ws => ws.Close().Send("late")));
        Assert.Equal("The script already ends with \"Close 1000\"; Close must be its last step.", afterClose.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => StubResponse.WebSocket(ws => ws.Close(WebSocketCloseStatus.Empty)));
        Assert.Throws<ArgumentException>(() => StubResponse.WebSocket(ws => ws.Close(reason: new string('x', 124))));
        Assert.Throws<InvalidOperationException>(() => StubResponse.WebSocket(ws => ws.Send("a")).WithTruncatedBody(0));
    }

    private static Uri WebSocketUri(StubServer stub, string path) =>
        new UriBuilder(stub.BaseAddress) { Scheme = stub.BaseAddress.Scheme == "https" ? "wss" : "ws", Path = path }.Uri;

    private static Task SendTextAsync(ClientWebSocket client, string text) =>
        client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private static async Task<string> ReceiveTextAsync(ClientWebSocket client)
    {
        var buffer = new byte[4096];
        int total = 0;
        while (true)
        {
            WebSocketReceiveResult received = await client.ReceiveAsync(new ArraySegment<byte>(buffer, total, buffer.Length - total), CancellationToken.None);
            Assert.Equal(WebSocketMessageType.Text, received.MessageType);
            total += received.Count;
            if (received.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, total);
            }
        }
    }
}
