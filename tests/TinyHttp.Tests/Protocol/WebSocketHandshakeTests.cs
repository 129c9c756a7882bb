using System;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

// Field lists are written as one string with '|' between repeated fields ("a|b" is two fields, "" is none), so the tables
// stay one line per case. DeflateSettings is internal, so the tables name the agreed settings as a string.
public class WebSocketHandshakeTests
{
    private const string Rfc6455Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string[] Fields(string joined) => joined.Length == 0 ? [] : joined.Split('|');

    // RFC 6455 §4.2.1 items 1 to 4: a GET over HTTP/1.1 whose Upgrade lists "websocket" and whose Connection lists
    // "Upgrade", each a case-insensitive token (RFC 9110 §7.8, §7.6.1) in a comma-separated list (§5.6.1) that may be
    // split over repeated fields (§5.3) and may carry empty elements and optional whitespace.
    [Theory]
    [InlineData("GET", true, "websocket", "Upgrade")]
    [InlineData("GET", true, "WebSocket", "upgrade")]
    [InlineData("GET", true, "WEBSOCKET", "UPGRADE")]
    [InlineData("GET", true, "websocket", "keep-alive, Upgrade")]
    [InlineData("GET", true, "h2c, websocket", "Upgrade, HTTP2-Settings")]
    [InlineData("GET", true, "  websocket  ", " Upgrade\t")]
    [InlineData("GET", true, ",websocket,", "Upgrade,,")]
    [InlineData("GET", true, "h2c|websocket", "keep-alive|Upgrade")]
    [InlineData("GET", true, "websocket|h2c", "Upgrade|keep-alive")]
    public void IsUpgradeRequest_AcceptsTheTokensWhereverTheListsHaveThem_Rfc6455_4_2_1(string method, bool isHttp11, string upgrade, string connection)
    {
        Assert.True(WebSocketHandshake.IsUpgradeRequest(method, isHttp11, Fields(upgrade), Fields(connection)));
    }

    [Theory]
    [InlineData("POST", true, "websocket", "Upgrade")]
    [InlineData("HEAD", true, "websocket", "Upgrade")]
    [InlineData("CONNECT", true, "websocket", "Upgrade")]
    // RFC 9110 §9.1: the method token is case-sensitive.
    [InlineData("get", true, "websocket", "Upgrade")]
    [InlineData("GET", false, "websocket", "Upgrade")]
    [InlineData("GET", true, "", "Upgrade")]
    [InlineData("GET", true, "websocket", "")]
    [InlineData("GET", true, "", "")]
    [InlineData("GET", true, "websocket", "keep-alive")]
    [InlineData("GET", true, "websocket", "close")]
    [InlineData("GET", true, "h2c", "Upgrade")]
    [InlineData("GET", true, "websockets", "Upgrade")]
    [InlineData("GET", true, "web socket", "Upgrade")]
    [InlineData("GET", true, "websocket", "Upgraded")]
    [InlineData("GET", true, "websocket", "keep-alive Upgrade")]
    // The tokens in each other's fields.
    [InlineData("GET", true, "Upgrade", "websocket")]
    public void IsUpgradeRequest_RefusesAnythingElse_Rfc6455_4_2_1(string method, bool isHttp11, string upgrade, string connection)
    {
        Assert.False(WebSocketHandshake.IsUpgradeRequest(method, isHttp11, Fields(upgrade), Fields(connection)));
    }

    // RFC 6455 §4.2.1 item 5: "a base64-encoded value that, when decoded, is 16 bytes in length".
    [Theory]
    [InlineData(Rfc6455Key)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("/////////////////////w==")]
    [InlineData("x3JJHMbDL1EzLkh9GBhXDw==")]
    public void IsValidKey_AcceptsBase64Of16Bytes_Rfc6455_4_2_1(string key)
    {
        Assert.True(WebSocketHandshake.IsValidKey(key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    // Too short: 5 bytes; 15 bytes (20 characters, no padding).
    [InlineData("c2hvcnQ=")]
    [InlineData("dGhlIHNhbXBsZSBub25j")]
    // 16 bytes without their padding (22 characters).
    [InlineData("dGhlIHNhbXBsZSBub25jZQ")]
    // 24 characters that decode to 17 bytes (one '=') and to 18 bytes (no padding).
    [InlineData("dGhlIHNhbXBsZSBub25jZSE=")]
    [InlineData("dGhlIHNhbXBsZSBub25jZSEh")]
    // Too long: 16 bytes with a third '=', and the key twice.
    [InlineData("dGhlIHNhbXBsZSBub25jZQ===")]
    [InlineData(Rfc6455Key + Rfc6455Key)]
    // 24 characters that are not base64: a '!' in place of the padding, a space inside, padding in the middle, the
    // URL-safe alphabet (RFC 4648 §5), and padding in front.
    [InlineData("dGhlIHNhbXBsZSBub25jZQ=!")]
    [InlineData("dGhlIHNhbXBsZSBub25jZ Q=")]
    [InlineData("dGhlIHNhbX==ZSBub25jZQ==")]
    [InlineData("-_-_-_-_-_-_-_-_-_-_-w==")]
    [InlineData("==dGhlIHNhbXBsZSBub25jZQ")]
    public void IsValidKey_RefusesAnythingElse_Rfc6455_4_2_1(string? key)
    {
        Assert.False(WebSocketHandshake.IsValidKey(key));
    }

    // RFC 6455 §1.3's worked example.
    [Fact]
    public void AcceptValue_IsTheRfcExample_Rfc6455_1_3()
    {
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.AcceptValue(Rfc6455Key));
    }

    // RFC 6455 §4.1, §11.3.4: a comma-separated list, most preferred first, possibly over repeated fields.
    [Theory]
    [InlineData("chat", "chat")]
    [InlineData("chat, superchat", "chat superchat")]
    [InlineData("superchat, chat", "superchat chat")]
    [InlineData("  chat  ,\tsuperchat  ", "chat superchat")]
    [InlineData("chat|superchat", "chat superchat")]
    [InlineData("b, a|c", "b a c")]
    [InlineData(",chat,, ,superchat,", "chat superchat")]
    [InlineData("chat|  |superchat", "chat superchat")]
    [InlineData("", "")]
    [InlineData(" , ", "")]
    public void SubProtocols_KeepTheClientsOrder_TrimAndDropEmptyItems_Rfc6455_4_1(string fields, string expected)
    {
        Assert.Equal(expected, string.Join(' ', WebSocketHandshake.SubProtocols(Fields(fields))));
    }

    private static string Describe(DeflateSettings settings) =>
        $"client {settings.ClientMaxWindowBits}{(settings.ClientContextTakeover ? "" : " no_context_takeover")}, "
        + $"server {settings.ServerMaxWindowBits}{(settings.ServerContextTakeover ? "" : " no_context_takeover")}";

    private const string Defaults = "client 15, server 15";

    // RFC 7692 §7.1: each parameter the server accepts is answered (or, for client_max_window_bits without a value,
    // may be left out) and sets what both sides then do.
    [Theory]
    [InlineData("permessage-deflate", "permessage-deflate", Defaults)]
    [InlineData("permessage-deflate; server_no_context_takeover", "permessage-deflate; server_no_context_takeover", "client 15, server 15 no_context_takeover")]
    [InlineData("permessage-deflate; client_no_context_takeover", "permessage-deflate; client_no_context_takeover", "client 15 no_context_takeover, server 15")]
    [InlineData("permessage-deflate; client_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover; server_no_context_takeover", "client 15 no_context_takeover, server 15 no_context_takeover")]
    [InlineData("permessage-deflate; server_max_window_bits=10", "permessage-deflate; server_max_window_bits=10", "client 15, server 10")]
    [InlineData("permessage-deflate; server_max_window_bits=9", "permessage-deflate; server_max_window_bits=9", "client 15, server 9")]
    [InlineData("permessage-deflate; server_max_window_bits=15", "permessage-deflate; server_max_window_bits=15", Defaults)]
    [InlineData("permessage-deflate; client_max_window_bits", "permessage-deflate", Defaults)]
    [InlineData("permessage-deflate; client_max_window_bits=12", "permessage-deflate; client_max_window_bits=12", "client 12, server 15")]
    // §7.1.2.1: the value may be a quoted-string.
    [InlineData("permessage-deflate; client_max_window_bits=\"12\"", "permessage-deflate; client_max_window_bits=12", "client 12, server 15")]
    [InlineData("permessage-deflate; client_max_window_bits; server_max_window_bits=11; client_no_context_takeover",
        "permessage-deflate; server_max_window_bits=11; client_no_context_takeover", "client 15 no_context_takeover, server 11")]
    // RFC 6455 §9.1: extension and parameter names are tokens, matched case-insensitively; whitespace around ';' and '='.
    [InlineData("PerMessage-Deflate ;Server_No_Context_Takeover ; client_max_window_bits = 12",
        "permessage-deflate; server_no_context_takeover; client_max_window_bits=12", "client 12, server 15 no_context_takeover")]
    public void NegotiateDeflate_AnswersTheParametersItAccepts_Rfc7692_7_1(string offer, string expected, string settings)
    {
        Assert.Equal(expected, WebSocketHandshake.NegotiateDeflate([offer], out DeflateSettings agreed));
        Assert.Equal(settings, Describe(agreed));
    }

    // RFC 7692 §7: a server MUST decline an offer with an unknown parameter or an invalid value. §7.1.2: window bits are
    // 8 to 15, and this server (as zlib with raw deflate) takes 9 to 15; server_max_window_bits needs a value.
    [Theory]
    [InlineData("permessage-deflate; server_max_window_bits=8")]
    [InlineData("permessage-deflate; server_max_window_bits=16")]
    [InlineData("permessage-deflate; server_max_window_bits=abc")]
    [InlineData("permessage-deflate; server_max_window_bits=-10")]
    [InlineData("permessage-deflate; server_max_window_bits=+10")]
    [InlineData("permessage-deflate; server_max_window_bits")]
    [InlineData("permessage-deflate; server_max_window_bits=")]
    [InlineData("permessage-deflate; client_max_window_bits=8")]
    [InlineData("permessage-deflate; client_max_window_bits=16")]
    [InlineData("permessage-deflate; client_max_window_bits=abc")]
    [InlineData("permessage-deflate; client_max_window_bits=")]
    [InlineData("permessage-deflate; server_no_context_takeover=1")]
    [InlineData("permessage-deflate; client_no_context_takeover=true")]
    [InlineData("permessage-deflate; mux")]
    [InlineData("permessage-deflate; x-unknown=1")]
    [InlineData("permessage-deflate; server_no_context_takeover; x-unknown")]
    [InlineData("x-webkit-deflate-frame")]
    [InlineData("permessage-deflate-v2")]
    public void NegotiateDeflate_DeclinesAnInvalidOffer_Rfc7692_7(string offer)
    {
        Assert.Null(WebSocketHandshake.NegotiateDeflate([offer], out _));
    }

    // RFC 7692 §7: "The negotiation offer contains multiple extension parameters with the same name" is the third reason a
    // server MUST decline an offer; answering with a duplicated parameter makes the client fail the connection (§7).
    [Theory]
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover")]
    [InlineData("permessage-deflate; client_no_context_takeover; client_no_context_takeover")]
    [InlineData("permessage-deflate; server_max_window_bits=10; server_max_window_bits=12")]
    [InlineData("permessage-deflate; client_max_window_bits=10; client_max_window_bits=12")]
    [InlineData("permessage-deflate; client_max_window_bits; client_max_window_bits")]
    public void NegotiateDeflate_DeclinesAnOfferThatRepeatsAParameter_Rfc7692_7(string offer)
    {
        Assert.Null(WebSocketHandshake.NegotiateDeflate([offer], out _));
    }

    // RFC 7692 §5: offers come in order of preference, as list items of one field or over several fields; the server
    // takes the first it can accept, and the settings are that offer's alone.
    [Theory]
    [InlineData("permessage-deflate; x-unknown, permessage-deflate", "permessage-deflate", Defaults)]
    [InlineData("permessage-deflate; server_no_context_takeover; x-unknown, permessage-deflate; client_max_window_bits",
        "permessage-deflate", Defaults)]
    [InlineData("permessage-deflate; client_max_window_bits=8, permessage-deflate; client_max_window_bits=10",
        "permessage-deflate; client_max_window_bits=10", "client 10, server 15")]
    [InlineData("permessage-deflate; server_max_window_bits=10, permessage-deflate", "permessage-deflate; server_max_window_bits=10", "client 15, server 10")]
    [InlineData("x-webkit-deflate-frame, permessage-deflate; client_no_context_takeover",
        "permessage-deflate; client_no_context_takeover", "client 15 no_context_takeover, server 15")]
    [InlineData("x-webkit-deflate-frame|permessage-deflate; server_no_context_takeover",
        "permessage-deflate; server_no_context_takeover", "client 15, server 15 no_context_takeover")]
    [InlineData("permessage-deflate; server_max_window_bits=16|permessage-deflate; server_max_window_bits=12",
        "permessage-deflate; server_max_window_bits=12", "client 15, server 12")]
    public void NegotiateDeflate_TakesTheFirstAcceptableOffer_Rfc7692_5(string fields, string expected, string settings)
    {
        Assert.Equal(expected, WebSocketHandshake.NegotiateDeflate(Fields(fields), out DeflateSettings agreed));
        Assert.Equal(settings, Describe(agreed));
    }

    [Theory]
    [InlineData("")]
    [InlineData("x-webkit-deflate-frame")]
    [InlineData("permessage-deflate; mux|permessage-deflate; server_max_window_bits=7")]
    [InlineData(" , ")]
    public void NegotiateDeflate_WithoutAnAcceptableOffer_IsNull_Rfc7692_7(string fields)
    {
        Assert.Null(WebSocketHandshake.NegotiateDeflate(Fields(fields), out _));
    }
}
