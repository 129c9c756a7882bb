using System;
using System.Globalization;
using System.Net;

namespace TinyHttp.Hosting;

/// <summary>
/// An endpoint written as a URL, as Kestrel's configuration writes them: <c>http://127.0.0.1:8080</c>,
/// <c>http://[::]:80</c> (IPv6 any, dual-mode), <c>http://localhost:8080</c> (loopback, IPv4 and IPv6),
/// <c>http://*:8080</c> or <c>http://+:8080</c> (every interface), <c>http://unix:/run/app.sock</c>, and the
/// same with <c>https://</c>. Without a port, http is 80 and https 443.
/// </summary>
internal readonly record struct EndpointUrl(bool IsHttps, EndpointHost Host, IPAddress? Address, int Port, string? SocketPath)
{
    public const string Examples = "http://127.0.0.1:8080, http://[::]:80, http://localhost:8080, http://*:8080, http://unix:/run/app.sock or https://…";

    /// <summary>Parses <paramref name="url"/>, or says in <paramref name="error"/> what is wrong with it.</summary>
    public static bool TryParse(string url, out EndpointUrl endpoint, out string? error)
    {
        endpoint = default;
        bool https;
        ReadOnlySpan<char> rest;
        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            https = false;
            rest = url.AsSpan(7);
        }
        else if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            https = true;
            rest = url.AsSpan(8);
        }
        else
        {
            error = "it must start with http:// or https://";
            return false;
        }

        if (rest.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            ReadOnlySpan<char> path = rest[5..];
            if (path.Length < 2 || path[0] != '/')
            {
                error = "a Unix socket needs an absolute path, as in http://unix:/run/app.sock";
                return false;
            }
            endpoint = new EndpointUrl(https, EndpointHost.UnixSocket, null, 0, path.ToString());
            error = null;
            return true;
        }

        if (rest.EndsWith("/"))
        {
            rest = rest[..^1];
        }
        if (rest.IndexOfAny('/', '?', '#') >= 0)
        {
            error = "an endpoint has no path or query; write only scheme, host and port";
            return false;
        }

        ReadOnlySpan<char> host;
        ReadOnlySpan<char> port;
        if (rest.StartsWith("["))
        {
            int close = rest.IndexOf(']');
            if (close < 0)
            {
                error = "an IPv6 address must be closed with ']'";
                return false;
            }
            host = rest[1..close];
            ReadOnlySpan<char> after = rest[(close + 1)..];
            if (after.Length > 0 && after[0] != ':')
            {
                error = "after an IPv6 address in brackets only ':port' may follow";
                return false;
            }
            port = after.Length > 0 ? after[1..] : default;
            if (!IPAddress.TryParse(host, out IPAddress? v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                error = $"'{host}' is not an IPv6 address";
                return false;
            }
            return Finish(https, EndpointHost.Address, v6, port, out endpoint, out error);
        }

        int colon = rest.LastIndexOf(':');
        host = colon < 0 ? rest : rest[..colon];
        port = colon < 0 ? default : rest[(colon + 1)..];
        if (host.Length == 0)
        {
            error = "the host is missing";
            return false;
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return Finish(https, EndpointHost.Localhost, null, port, out endpoint, out error);
        }
        if (host is "*" or "+")
        {
            return Finish(https, EndpointHost.Any, null, port, out endpoint, out error);
        }
        if (IPAddress.TryParse(host, out IPAddress? address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return Finish(https, EndpointHost.Address, address, port, out endpoint, out error);
        }
        error = $"the host '{host}' is not an IP address, localhost, * or + (TinyHttp binds addresses, not names; IPv6 goes in brackets)";
        return false;
    }

    private static bool Finish(bool https, EndpointHost host, IPAddress? address, ReadOnlySpan<char> portText, out EndpointUrl endpoint, out string? error)
    {
        int port = https ? 443 : 80;
        if (portText.Length > 0 && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > IPEndPoint.MaxPort))
        {
            endpoint = default;
            error = $"the port '{portText}' is not a number from 0 to {IPEndPoint.MaxPort}";
            return false;
        }
        endpoint = new EndpointUrl(https, host, address, port, null);
        error = null;
        return true;
    }

    /// <summary>Adds this endpoint to <paramref name="options"/>, with <paramref name="https"/> when it is an https:// endpoint.</summary>
    public void AddTo(TinyHttpServerOptions options, HttpsOptions? https)
    {
        switch (Host)
        {
            case EndpointHost.UnixSocket:
                options.ListenUnixSocket(SocketPath!, https);
                break;
            case EndpointHost.Localhost:
                options.ListenLocalhost(Port, https);
                break;
            case EndpointHost.Any:
                options.ListenAnyIP(Port, https);
                break;
            default:
                options.Listen(Address!, Port, https);
                break;
        }
    }
}

internal enum EndpointHost
{
    Address,
    Localhost,
    Any,
    UnixSocket,
}
