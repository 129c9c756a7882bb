using System;
using System.Buffers;

namespace TinyHttp.Protocol;

/// <summary>URI authority and absolute-form syntax (RFC 3986 §3.1–§3.2, RFC 9112 §3.2.2–§3.2.3).</summary>
internal static class TargetSyntax
{
    /// <summary>
    /// True for <c>uri-host [ ":" port ]</c> (Host, RFC 9110 §7.2) or <c>uri-host ":" port</c>
    /// (CONNECT's authority-form). An empty Host value is allowed (RFC 9110 §7.2); userinfo is not.
    /// </summary>
    public static bool IsValidAuthority(ReadOnlySpan<byte> authority, bool requirePort)
    {
        if (authority.IsEmpty)
        {
            return !requirePort;
        }
        ReadOnlySpan<byte> rest;
        if (authority[0] == (byte)'[')
        {
            int close = authority.IndexOf((byte)']');
            if (close < 2 || !IsIpLiteralBody(authority.Slice(1, close - 1)))
            {
                return false;
            }
            rest = authority.Slice(close + 1);
        }
        else
        {
            int colon = authority.IndexOf((byte)':');
            ReadOnlySpan<byte> host = colon < 0 ? authority : authority.Slice(0, colon);
            if (!IsRegNameOrIPv4(host))
            {
                return false;
            }
            rest = colon < 0 ? ReadOnlySpan<byte>.Empty : authority.Slice(colon);
        }

        if (rest.IsEmpty)
        {
            return !requirePort;
        }
        if (rest[0] != (byte)':')
        {
            return false;
        }
        ReadOnlySpan<byte> port = rest.Slice(1);
        if (port.IsEmpty)
        {
            // RFC 3986 allows an empty port after ':' in a Host value, not in CONNECT's authority-form.
            return !requirePort;
        }
        return port.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    /// <summary>
    /// For an absolute-form target (<c>scheme "://" authority path-abempty [ "?" query ]</c>), the
    /// offset where the path starts; -1 when the target is not of that form.
    /// </summary>
    public static int AbsoluteFormPathStart(ReadOnlySpan<byte> target)
    {
        int colon = target.IndexOf((byte)':');
        if (colon <= 0 || !char.IsAsciiLetter((char)target[0]))
        {
            return -1;
        }
        foreach (byte b in target.Slice(1, colon - 1))
        {
            if (!char.IsAsciiLetterOrDigit((char)b) && b != (byte)'+' && b != (byte)'-' && b != (byte)'.')
            {
                return -1;
            }
        }
        if (!target.Slice(colon + 1).StartsWith("//"u8))
        {
            return -1;
        }
        int authorityStart = colon + 3;
        int authorityLength = target.Slice(authorityStart).IndexOfAny((byte)'/', (byte)'?');
        if (authorityLength < 0)
        {
            authorityLength = target.Length - authorityStart;
        }
        ReadOnlySpan<byte> authority = target.Slice(authorityStart, authorityLength);
        if (authority.IsEmpty || !IsValidAuthority(authority, requirePort: false))
        {
            return -1;
        }
        return authorityStart + authorityLength;
    }

    // reg-name = *( unreserved / pct-encoded / sub-delims ); IPv4address is a subset of it.
    private static bool IsRegNameOrIPv4(ReadOnlySpan<byte> host)
    {
        if (host.Length >= HttpCharacters.ShortScanLength)
        {
            return host.IndexOfAnyExcept(RegNameBytes) < 0;
        }
        foreach (byte b in host)
        {
            // The same set as RegNameBytes, as a bit mask over ASCII: bytes 0-63 in the low word, 64-127 in the high.
            ulong mask = b < 64 ? RegNameMaskLow : b < 128 ? RegNameMaskHigh : 0;
            if (((mask >> (b & 63)) & 1) == 0)
            {
                return false;
            }
        }
        return true;
    }

    private const ulong RegNameMaskLow = 0x2bff7ff200000000;
    private const ulong RegNameMaskHigh = 0x47fffffe87fffffe;

    // RFC 3986 §3.2.2: reg-name = *( unreserved / pct-encoded / sub-delims ), which covers IPv4address too.
    private static readonly SearchValues<byte> RegNameBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+,;="u8);

    // IP-literal = "[" ( IPv6address / IPvFuture ) "]"; checked for its alphabet, not its full grammar.
    private static bool IsIpLiteralBody(ReadOnlySpan<byte> body)
    {
        foreach (byte b in body)
        {
            if (!(char.IsAsciiHexDigit((char)b) || b is (byte)':' or (byte)'.'))
            {
                return false;
            }
        }
        return true;
    }
}
