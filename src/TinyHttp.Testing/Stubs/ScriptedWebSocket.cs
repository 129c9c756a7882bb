using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TinyHttp.Testing;

/// <summary>
/// ScriptedWebSocket plays a <see cref="StubWebSocketScript"/> on one request: it refuses a request that is not a
/// WebSocket upgrade, accepts one that is, runs the steps in order and records every message the client sends.
/// Each message and each failure is recorded before the stub sends anything further, so a client that has seen the
/// stub's next frame can rely on the record.
/// </summary>
internal static class ScriptedWebSocket
{
    // RFC 6455 §5.5: a Close frame's reason is at most 123 bytes.
    private const int MaxCloseReasonBytes = 123;

    internal static async Task RunAsync(
        StubResponse stub, RecordedRequest recorded, HttpRequest request, HttpResponse response, CancellationToken requestAborted)
    {
        WebSocketStep[] steps = stub.WebSocketSteps!;
        var session = new RecordedWebSocket(steps);
        recorded.WebSocket = session;

        if (!request.IsWebSocketRequest)
        {
            Refuse(session, response, recorded, string.Concat(
                "this request is not a WebSocket upgrade (RFC 6455 §4.1: GET over HTTP/1.1 with Upgrade: websocket and Connection: Upgrade). ",
                $"It was {recorded.Method} over {recorded.Version} with Upgrade: {Shown(request.Headers["Upgrade"])} and Connection: {Shown(request.Headers["Connection"])}."));
            return;
        }
        if (stub.WebSocketSubProtocol is { } subProtocol && !Contains(request.WebSocketSubProtocols, subProtocol))
        {
            Refuse(session, response, recorded, string.Concat(
                $"the route speaks the subprotocol \"{subProtocol}\", and the client offered ",
                request.WebSocketSubProtocols.Count == 0 ? "none." : $"only {string.Join(", ", request.WebSocketSubProtocols)}."));
            return;
        }

        foreach (KeyValuePair<string, string> header in stub.Headers)
        {
            response.Headers.Add(header.Key, header.Value);
        }
        WebSocket socket;
        try
        {
            socket = await response.AcceptWebSocketAsync(new WebSocketAcceptOptions { SubProtocol = stub.WebSocketSubProtocol }).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            session.Fail($"The upgrade was refused with {e.StatusCode}: {e.Message}");
            throw;
        }

        using (socket)
        {
            int step = 0;
            try
            {
                for (; step < steps.Length; step++)
                {
                    if (!await RunStepAsync(socket, session, steps[step], step + 1, requestAborted).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                await RecordUntilClosedAsync(socket, session, requestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // The client went away, or the stub is stopping (the server closes the WebSocket meanwhile, so a send can
                // collide with its Close). Once the script has reached its Close, or its end, that is no failure of it: a
                // client may drop the connection on the stub's Close frame instead of answering it.
                if (step < steps.Length && steps[step].Kind != WebSocketStepKind.Close)
                {
                    session.Fail($"Step {step + 1}, {steps[step].Description}: the connection ended ({e.Message}).");
                }
            }
        }
    }

    /// <summary>Runs one step; false when the exchange is over (closed by the step, by the client, or on a mismatch).</summary>
    private static async Task<bool> RunStepAsync(WebSocket socket, RecordedWebSocket session, WebSocketStep step, int number, CancellationToken requestAborted)
    {
        switch (step.Kind)
        {
            case WebSocketStepKind.Send:
                await socket.SendAsync(step.Data, step.MessageType, endOfMessage: true, requestAborted).ConfigureAwait(false);
                return true;

            case WebSocketStepKind.Close:
                await socket.CloseOutputAsync(step.CloseStatus, step.CloseReason, requestAborted).ConfigureAwait(false);
                await RecordUntilClosedAsync(socket, session, requestAborted).ConfigureAwait(false);
                return false;

            default:
                RecordedWebSocketMessage? message = await ReceiveAsync(socket, requestAborted).ConfigureAwait(false);
                if (message is null)
                {
                    session.Fail($"Step {number}, {step.Description}: the client closed the WebSocket instead ({DescribeClose(socket)}).");
                    await AnswerCloseAsync(socket, requestAborted).ConfigureAwait(false);
                    return false;
                }
                string? mismatch = Check(step, message);
                session.Record(message, metAnExpect: mismatch is null);
                if (mismatch is null)
                {
                    return true;
                }
                session.Fail($"Step {number}, {step.Description}: received {message}{mismatch}.");
                // RFC 6455 §7.4.1: 1008 is for a message that violates the endpoint's policy; the script is that policy.
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, CloseReason("Expected " + step.ExpectedText), requestAborted).ConfigureAwait(false);
                await RecordUntilClosedAsync(socket, session, requestAborted).ConfigureAwait(false);
                return false;
        }
    }

    /// <summary>Null when <paramref name="message"/> meets the Expect step; otherwise what to add after "received …" (empty, or why the predicate failed).</summary>
    private static string? Check(WebSocketStep step, RecordedWebSocketMessage message)
    {
        try
        {
            return step.Predicate!(message) ? null : string.Empty;
        }
        catch (Exception e)
        {
            return $", and the condition threw {e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Records the client's messages until its Close, answering that Close if the client sent it first.</summary>
    private static async Task RecordUntilClosedAsync(WebSocket socket, RecordedWebSocket session, CancellationToken requestAborted)
    {
        while (await ReceiveAsync(socket, requestAborted).ConfigureAwait(false) is { } message)
        {
            session.Record(message, metAnExpect: false);
        }
        await AnswerCloseAsync(socket, requestAborted).ConfigureAwait(false);
    }

    /// <summary>Receives one whole message, its frames joined; null when the client's Close arrives instead.</summary>
    private static async Task<RecordedWebSocketMessage?> ReceiveAsync(WebSocket socket, CancellationToken requestAborted)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(buffer.GetMemory(4096), requestAborted).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return new RecordedWebSocketMessage(result.MessageType, buffer.WrittenSpan.ToArray());
            }
        }
    }

    /// <summary>RFC 6455 §5.5.1: an endpoint that receives a Close it did not send first answers with a Close.</summary>
    private static async Task AnswerCloseAsync(WebSocket socket, CancellationToken requestAborted)
    {
        if (socket.State == WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, requestAborted).ConfigureAwait(false);
        }
    }

    private static void Refuse(RecordedWebSocket session, HttpResponse response, RecordedRequest recorded, string reason)
    {
        session.Fail("The upgrade was refused with 400: " + reason);
        response.StatusCode = 400;
        response.ContentType = "text/plain; charset=utf-8";
        response.SetBody($"TinyHttp.Testing StubServer: {recorded.Method} {recorded.Target} answers with a WebSocket, but {reason}\n");
    }

    private static string DescribeClose(WebSocket socket) =>
        socket.CloseStatus is { } status
            ? $"{(int)status}{(string.IsNullOrEmpty(socket.CloseStatusDescription) ? string.Empty : " " + RecordedWebSocketMessage.QuoteText(socket.CloseStatusDescription))}"
            : "no status";

    private static string CloseReason(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) <= MaxCloseReasonBytes)
        {
            return text;
        }
        int length = text.Length;
        while (Encoding.UTF8.GetByteCount(text.AsSpan(0, length)) > MaxCloseReasonBytes - 3)
        {
            length--;
        }
        if (length > 0 && char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }
        return string.Concat(text.AsSpan(0, length), "…");
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        foreach (string candidate in values)
        {
            if (candidate == value)
            {
                return true;
            }
        }
        return false;
    }

    private static string Shown(string? value) => value is null ? "(none)" : value;
}
