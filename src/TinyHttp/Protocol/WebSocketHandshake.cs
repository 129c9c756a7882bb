using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace TinyHttp.Protocol;

/// <summary>
/// WebSocketHandshake is the HTTP side of RFC 6455's opening handshake, as pure functions: whether a request asks for
/// an upgrade (§4.2.1), whether its key and version are acceptable, the <c>Sec-WebSocket-Accept</c> value (§4.2.2), and
/// the permessage-deflate negotiation (RFC 7692 §7).
/// </summary>
internal static class WebSocketHandshake
{
    /// <summary>RFC 6455 §1.3: the GUID appended to the client's key before hashing.</summary>
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public const string SupportedVersion = "13";

    /// <summary>
    /// RFC 6455 §4.2.1: a GET over HTTP/1.1 whose Upgrade field lists <c>websocket</c> and whose Connection field lists
    /// <c>Upgrade</c>, both as case-insensitive tokens in comma-separated lists (each field may repeat).
    /// </summary>
    public static bool IsUpgradeRequest(string method, bool isHttp11, IReadOnlyList<string> upgrade, IReadOnlyList<string> connection) =>
        method == "GET" && isHttp11 && ListsToken(upgrade, "websocket") && ListsToken(connection, "upgrade");

    /// <summary>RFC 6455 §4.2.1 item 5: the key is a base64 value that decodes to exactly 16 bytes.</summary>
    public static bool IsValidKey(string? key)
    {
        if (key is null || key.Length != 24)
        {
            return false;
        }
        Span<byte> decoded = stackalloc byte[18];
        return Convert.TryFromBase64String(key, decoded, out int written) && written == 16;
    }

    /// <summary>RFC 6455 §4.2.2 item 5.4: base64(SHA-1(key + GUID)).</summary>
    public static string AcceptValue(string key)
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(Encoding.ASCII.GetBytes(key + KeyGuid), hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>The subprotocols a client offered in Sec-WebSocket-Protocol, in its order of preference (RFC 6455 §4.1).</summary>
    public static IReadOnlyList<string> SubProtocols(IReadOnlyList<string> fields)
    {
        var offered = new List<string>();
        foreach (string field in fields)
        {
            foreach (Range part in field.AsSpan().Split(','))
            {
                ReadOnlySpan<char> token = field.AsSpan()[part].Trim();
                if (!token.IsEmpty)
                {
                    offered.Add(token.ToString());
                }
            }
        }
        return offered;
    }

    /// <summary>
    /// RFC 7692 §7: accepts the first permessage-deflate offer whose parameters are valid, and returns the
    /// Sec-WebSocket-Extensions response value with the settings both sides then use; null when there is no usable offer.
    /// </summary>
    public static string? NegotiateDeflate(IReadOnlyList<string> extensionFields, out DeflateSettings settings)
    {
        settings = default;
        foreach (string field in extensionFields)
        {
            foreach (Range offerRange in field.AsSpan().Split(','))
            {
                ReadOnlySpan<char> offer = field.AsSpan()[offerRange].Trim();
                if (TryAccept(offer, out settings, out string? response))
                {
                    return response;
                }
            }
        }
        return null;
    }

    private static bool TryAccept(ReadOnlySpan<char> offer, out DeflateSettings settings, out string? response)
    {
        settings = new DeflateSettings(15, 15, ClientContextTakeover: true, ServerContextTakeover: true);
        response = null;
        var answer = new StringBuilder("permessage-deflate");
        bool first = true;
        // RFC 7692 §7: an offer that names a parameter twice is declined.
        int seen = 0;
        foreach (Range paramRange in offer.Split(';'))
        {
            ReadOnlySpan<char> param = offer[paramRange].Trim();
            if (first)
            {
                first = false;
                if (!param.Equals("permessage-deflate", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                continue;
            }
            int equals = param.IndexOf('=');
            ReadOnlySpan<char> name = (equals < 0 ? param : param[..equals]).Trim();
            int bit = ParameterBit(name);
            if ((seen & bit) != 0)
            {
                return false;
            }
            seen |= bit;
            ReadOnlySpan<char> value = equals < 0 ? default : param[(equals + 1)..].Trim().Trim('"');
            if (name.Equals("server_no_context_takeover", StringComparison.OrdinalIgnoreCase) && equals < 0)
            {
                settings = settings with { ServerContextTakeover = false };
                answer.Append("; server_no_context_takeover");
            }
            else if (name.Equals("client_no_context_takeover", StringComparison.OrdinalIgnoreCase) && equals < 0)
            {
                settings = settings with { ClientContextTakeover = false };
                answer.Append("; client_no_context_takeover");
            }
            else if (name.Equals("server_max_window_bits", StringComparison.OrdinalIgnoreCase) && TryWindowBits(value, out int serverBits))
            {
                settings = settings with { ServerMaxWindowBits = serverBits };
                answer.Append("; server_max_window_bits=").Append(serverBits);
            }
            else if (name.Equals("client_max_window_bits", StringComparison.OrdinalIgnoreCase) && (equals < 0 || TryWindowBits(value, out _)))
            {
                // Without a value the client only says it could honour one; with a value it caps its own window.
                if (equals >= 0 && TryWindowBits(value, out int clientBits))
                {
                    settings = settings with { ClientMaxWindowBits = clientBits };
                    answer.Append("; client_max_window_bits=").Append(clientBits);
                }
            }
            else
            {
                // An unknown or malformed parameter declines this offer (RFC 7692 §7.1); a later one may still do.
                return false;
            }
        }
        response = answer.ToString();
        return true;
    }

    private static int ParameterBit(ReadOnlySpan<char> name) =>
        name.Equals("server_no_context_takeover", StringComparison.OrdinalIgnoreCase) ? 1
        : name.Equals("client_no_context_takeover", StringComparison.OrdinalIgnoreCase) ? 2
        : name.Equals("server_max_window_bits", StringComparison.OrdinalIgnoreCase) ? 4
        : name.Equals("client_max_window_bits", StringComparison.OrdinalIgnoreCase) ? 8
        : 0;

    // RFC 7692 §7.1.2: 8 to 15; zlib (and so .NET) cannot use a window of 8 bits with raw deflate, so 9 to 15.
    private static bool TryWindowBits(ReadOnlySpan<char> value, out int bits) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bits) && bits is >= 9 and <= 15;

    private static bool ListsToken(IReadOnlyList<string> fields, string token)
    {
        foreach (string field in fields)
        {
            if (HttpCharacters.ListHasToken(field, token))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>The permessage-deflate settings agreed in a handshake (RFC 7692 §7.1).</summary>
internal readonly record struct DeflateSettings(int ClientMaxWindowBits, int ServerMaxWindowBits, bool ClientContextTakeover, bool ServerContextTakeover);
