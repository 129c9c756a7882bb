using System;
using System.Net.WebSockets;
using System.Text;

namespace TinyHttp.Testing;

/// <summary>
/// RecordedWebSocketMessage is one whole message a <see cref="StubServer"/> WebSocket route received from the client
/// (its frames joined), kept in <see cref="RecordedWebSocket.ReceivedMessages"/> so a test can assert on it.
/// </summary>
public sealed class RecordedWebSocketMessage
{
    private const int ShownChars = 200;

    internal RecordedWebSocketMessage(WebSocketMessageType messageType, byte[] data)
    {
        MessageType = messageType;
        Data = data;
    }

    /// <summary>MessageType is <see cref="WebSocketMessageType.Text"/> or <see cref="WebSocketMessageType.Binary"/>, as the client sent it.</summary>
    public WebSocketMessageType MessageType { get; }

    /// <summary>Data is the message's payload: for a text message, its UTF-8 bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Text is <see cref="Data"/> decoded as UTF-8, for a text message its text.</summary>
    public string Text => Encoding.UTF8.GetString(Data.Span);

    /// <summary>Returns the message as failure messages show it: <c>text "subscribe"</c>, or <c>binary 3 bytes: "\x01\x02\x03"</c>.</summary>
    public override string ToString() => MessageType == WebSocketMessageType.Text
        ? "text " + QuoteText(Text)
        : "binary " + ByteText.Describe(Data.Span);

    /// <summary>Quotes <paramref name="text"/> with line breaks and tabs escaped, eliding the middle of a long text.</summary>
    internal static string QuoteText(string text)
    {
        string shown = text.Length <= ShownChars
            ? text
            : string.Concat(text.AsSpan(0, ShownChars / 2), $"\" … ({text.Length - ShownChars} chars elided) … \"", text.AsSpan(text.Length - (ShownChars / 2)));
        return "\"" + shown.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\r", "\\r", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\t", "\\t", StringComparison.Ordinal) + "\"";
    }
}
