using System;
using System.Text;

namespace TinyHttp.Protocol;

/// <summary>The reason phrases of RFC 9110 §15, and pre-encoded status lines for them.</summary>
internal static class ReasonPhrases
{
    private static readonly string?[] Phrases = BuildPhrases();
    private static readonly byte[]?[] StatusLines = BuildStatusLines();

    /// <summary>The RFC 9110 phrase for <paramref name="statusCode"/>, or an empty string for a code it does not define.</summary>
    public static string Get(int statusCode) =>
        (uint)statusCode < (uint)Phrases.Length ? Phrases[statusCode] ?? string.Empty : string.Empty;

    /// <summary><c>HTTP/1.1 {code} {phrase}\r\n</c> for a standard code, or null.</summary>
    public static ReadOnlySpan<byte> GetStatusLine(int statusCode) =>
        (uint)statusCode < (uint)StatusLines.Length ? StatusLines[statusCode] : null;

    private static string?[] BuildPhrases()
    {
        var phrases = new string?[600];
        phrases[100] = "Continue";
        phrases[101] = "Switching Protocols";
        phrases[102] = "Processing";
        phrases[103] = "Early Hints";
        phrases[200] = "OK";
        phrases[201] = "Created";
        phrases[202] = "Accepted";
        phrases[203] = "Non-Authoritative Information";
        phrases[204] = "No Content";
        phrases[205] = "Reset Content";
        phrases[206] = "Partial Content";
        phrases[207] = "Multi-Status";
        phrases[208] = "Already Reported";
        phrases[226] = "IM Used";
        phrases[300] = "Multiple Choices";
        phrases[301] = "Moved Permanently";
        phrases[302] = "Found";
        phrases[303] = "See Other";
        phrases[304] = "Not Modified";
        phrases[305] = "Use Proxy";
        phrases[307] = "Temporary Redirect";
        phrases[308] = "Permanent Redirect";
        phrases[400] = "Bad Request";
        phrases[401] = "Unauthorized";
        phrases[402] = "Payment Required";
        phrases[403] = "Forbidden";
        phrases[404] = "Not Found";
        phrases[405] = "Method Not Allowed";
        phrases[406] = "Not Acceptable";
        phrases[407] = "Proxy Authentication Required";
        phrases[408] = "Request Timeout";
        phrases[409] = "Conflict";
        phrases[410] = "Gone";
        phrases[411] = "Length Required";
        phrases[412] = "Precondition Failed";
        phrases[413] = "Content Too Large";
        phrases[414] = "URI Too Long";
        phrases[415] = "Unsupported Media Type";
        phrases[416] = "Range Not Satisfiable";
        phrases[417] = "Expectation Failed";
        phrases[421] = "Misdirected Request";
        phrases[422] = "Unprocessable Content";
        phrases[423] = "Locked";
        phrases[424] = "Failed Dependency";
        phrases[425] = "Too Early";
        phrases[426] = "Upgrade Required";
        phrases[428] = "Precondition Required";
        phrases[429] = "Too Many Requests";
        phrases[431] = "Request Header Fields Too Large";
        phrases[451] = "Unavailable For Legal Reasons";
        phrases[500] = "Internal Server Error";
        phrases[501] = "Not Implemented";
        phrases[502] = "Bad Gateway";
        phrases[503] = "Service Unavailable";
        phrases[504] = "Gateway Timeout";
        phrases[505] = "HTTP Version Not Supported";
        phrases[506] = "Variant Also Negotiates";
        phrases[507] = "Insufficient Storage";
        phrases[508] = "Loop Detected";
        phrases[510] = "Not Extended";
        phrases[511] = "Network Authentication Required";
        return phrases;
    }

    private static byte[]?[] BuildStatusLines()
    {
        var lines = new byte[]?[Phrases.Length];
        for (int code = 0; code < Phrases.Length; code++)
        {
            if (Phrases[code] is { } phrase)
            {
                lines[code] = Encoding.ASCII.GetBytes($"HTTP/1.1 {code} {phrase}\r\n");
            }
        }
        return lines;
    }
}
