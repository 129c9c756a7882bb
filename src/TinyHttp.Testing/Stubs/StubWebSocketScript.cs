using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;

namespace TinyHttp.Testing;

/// <summary>
/// StubWebSocketScript is the exchange a <see cref="StubResponse.WebSocket"/> route plays once the client's upgrade is
/// accepted: messages to send, messages to expect, and how to close, in order. Write it in the lambda given to
/// <see cref="StubResponse.WebSocket"/>:
/// <c>ws =&gt; ws.Send("hello").Expect("subscribe").Send("{\"price\":1}").Close()</c>.
/// </summary>
/// <remarks>
/// <para>An <see cref="Expect(string)"/> that the next message does not meet ends the exchange: the stub records the
/// failure and closes with 1008 (policy violation), and <see cref="StubServer.AssertWebSocketScriptsCompleted"/> reports
/// what was expected and what arrived.</para>
/// <para>A script that does not end with <see cref="Close"/> leaves the WebSocket open once its steps are done: the stub
/// records whatever else the client sends until the client closes, then answers its Close.</para>
/// </remarks>
public sealed class StubWebSocketScript
{
    // RFC 6455 §5.5: a control frame's payload is at most 125 bytes, two of which a Close frame spends on its status.
    private const int MaxCloseReasonBytes = 123;

    private readonly List<WebSocketStep> _steps = new();

    internal StubWebSocketScript()
    {
    }

    /// <summary>Send makes the stub send <paramref name="text"/> as a text message.</summary>
    /// <param name="text">The message.</param>
    /// <returns>This script, for chaining.</returns>
    public StubWebSocketScript Send(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Add(WebSocketStep.SendMessage(WebSocketMessageType.Text, Encoding.UTF8.GetBytes(text), "Send text " + RecordedWebSocketMessage.QuoteText(text)));
    }

    /// <summary>Send makes the stub send <paramref name="data"/> as a binary message.</summary>
    /// <param name="data">The message.</param>
    /// <returns>This script, for chaining.</returns>
    public StubWebSocketScript Send(ReadOnlyMemory<byte> data) =>
        Add(WebSocketStep.SendMessage(WebSocketMessageType.Binary, data.ToArray(), "Send binary " + ByteText.Describe(data.Span)));

    /// <summary>Expect makes the stub wait for the client's next message and require it to be a text message equal to <paramref name="text"/> (ordinal).</summary>
    /// <param name="text">The text expected.</param>
    /// <returns>This script, for chaining.</returns>
    public StubWebSocketScript Expect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Add(WebSocketStep.ExpectMessage(
            message => message.MessageType == WebSocketMessageType.Text && message.Text == text,
            "text " + RecordedWebSocketMessage.QuoteText(text)));
    }

    /// <summary>Expect makes the stub wait for the client's next message and require it to be a binary message with exactly the bytes <paramref name="data"/>.</summary>
    /// <param name="data">The bytes expected.</param>
    /// <returns>This script, for chaining.</returns>
    public StubWebSocketScript Expect(ReadOnlyMemory<byte> data)
    {
        byte[] expected = data.ToArray();
        return Add(WebSocketStep.ExpectMessage(
            message => message.MessageType == WebSocketMessageType.Binary && message.Data.Span.SequenceEqual(expected),
            "binary " + ByteText.Describe(expected)));
    }

    /// <summary>Expect makes the stub wait for the client's next message and require <paramref name="predicate"/> to accept it.</summary>
    /// <param name="predicate">True when the message is the one expected. It runs on the server's thread; an exception it throws counts as a mismatch.</param>
    /// <param name="description">How the expected message reads in a failure, for example <c>a subscribe request for "prices"</c>.</param>
    /// <returns>This script, for chaining.</returns>
    public StubWebSocketScript Expect(Func<RecordedWebSocketMessage, bool> predicate, string description = "custom condition")
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(description);
        return Add(WebSocketStep.ExpectMessage(predicate, description));
    }

    /// <summary>
    /// Close makes the stub close the WebSocket with <paramref name="status"/> and <paramref name="reason"/> and wait for the
    /// client's Close. It ends the script; no step may follow it.
    /// </summary>
    /// <param name="status">The close status; default 1000 (normal closure). Cast a number for an application's own code: <c>(WebSocketCloseStatus)4000</c>.</param>
    /// <param name="reason">The reason sent with it, at most 123 bytes in UTF-8; default none.</param>
    /// <returns>This script, for chaining.</returns>
    public StubWebSocketScript Close(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string reason = "")
    {
        ArgumentNullException.ThrowIfNull(reason);
        int code = (int)status;
        // RFC 6455 §7.4: 1004–1006 and 1015 are reserved, never sent; 3000–4999 belong to libraries and applications.
        if (code is not (>= 1000 and <= 1003) and not (>= 1007 and <= 1011) and not (>= 3000 and <= 4999))
        {
            throw new ArgumentOutOfRangeException(nameof(status), code, "A Close frame may carry 1000–1003, 1007–1011 or 3000–4999 (RFC 6455 §7.4).");
        }
        if (Encoding.UTF8.GetByteCount(reason) > MaxCloseReasonBytes)
        {
            throw new ArgumentException($"A close reason is at most {MaxCloseReasonBytes} bytes in UTF-8 (RFC 6455 §5.5); shorten it.", nameof(reason));
        }
        return Add(WebSocketStep.CloseSocket(
            status,
            reason,
            string.Create(CultureInfo.InvariantCulture, $"Close {code}{(reason.Length == 0 ? string.Empty : " " + RecordedWebSocketMessage.QuoteText(reason))}")));
    }

    internal WebSocketStep[] ToSteps() => _steps.ToArray();

    private StubWebSocketScript Add(WebSocketStep step)
    {
        if (_steps.Count > 0 && _steps[^1].Kind == WebSocketStepKind.Close)
        {
            throw new InvalidOperationException($"The script already ends with \"{_steps[^1].Description}\"; Close must be its last step.");
        }
        _steps.Add(step);
        return this;
    }
}

internal enum WebSocketStepKind
{
    Send,
    Expect,
    Close,
}

/// <summary>WebSocketStep is one step of a <see cref="StubWebSocketScript"/>, with the words a failure message uses for it.</summary>
internal sealed class WebSocketStep
{
    private WebSocketStep(WebSocketStepKind kind, string description)
    {
        Kind = kind;
        Description = description;
    }

    internal WebSocketStepKind Kind { get; }

    /// <summary>Description is how the step reads in a failure: <c>Send text "hello"</c>, <c>Expect text "subscribe"</c>, <c>Close 1000</c>.</summary>
    internal string Description { get; }

    internal WebSocketMessageType MessageType { get; private init; }

    internal ReadOnlyMemory<byte> Data { get; private init; }

    internal Func<RecordedWebSocketMessage, bool>? Predicate { get; private init; }

    /// <summary>ExpectedText is what an Expect step wants, without the word Expect: <c>text "subscribe"</c>.</summary>
    internal string ExpectedText { get; private init; } = string.Empty;

    internal WebSocketCloseStatus CloseStatus { get; private init; }

    internal string CloseReason { get; private init; } = string.Empty;

    internal static WebSocketStep SendMessage(WebSocketMessageType type, byte[] data, string description) =>
        new(WebSocketStepKind.Send, description) { MessageType = type, Data = data };

    internal static WebSocketStep ExpectMessage(Func<RecordedWebSocketMessage, bool> predicate, string expected) =>
        new(WebSocketStepKind.Expect, "Expect " + expected) { Predicate = predicate, ExpectedText = expected };

    internal static WebSocketStep CloseSocket(WebSocketCloseStatus status, string reason, string description) =>
        new(WebSocketStepKind.Close, description) { CloseStatus = status, CloseReason = reason };
}
