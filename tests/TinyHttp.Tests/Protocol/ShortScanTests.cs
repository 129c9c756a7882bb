using System;
using System.Text;
using TinyHttp.Protocol;
using Xunit;

namespace TinyHttp.Tests.Protocol;

/// <summary>
/// The parser checks short spans (methods, names, most targets and Host values) a byte at a time and long ones with
/// vectorised searches. Both must accept and refuse exactly the same bytes: each test puts every byte value into a
/// short span and a long one and compares.
/// </summary>
public class ShortScanTests
{
    private const int Long = HttpCharacters.ShortScanLength * 2;

    [Fact]
    public void TokensAreTheSameShortAndLong()
    {
        for (int b = 0; b < 256; b++)
        {
            bool shortResult = HttpCharacters.IsToken(Filled(3, (byte)b));
            bool longResult = HttpCharacters.IsToken(Filled(Long, (byte)b));
            Assert.True(shortResult == longResult, $"byte 0x{b:X2}");
            Assert.Equal(HttpCharacters.IsTokenChar((byte)b), shortResult);
        }
    }

    [Fact]
    public void FieldValuesAreTheSameShortAndLong()
    {
        for (int b = 0; b < 256; b++)
        {
            int shortResult = HttpCharacters.IndexOfInvalidFieldValueByte(Filled(3, (byte)b));
            int longResult = HttpCharacters.IndexOfInvalidFieldValueByte(Filled(Long, (byte)b));
            Assert.Equal(HttpCharacters.IsFieldValueByte((byte)b) ? -1 : 1, shortResult);
            Assert.Equal(HttpCharacters.IsFieldValueByte((byte)b) ? -1 : Long / 2, longResult);
        }
    }

    [Fact]
    public void HostBytesAreTheSameShortAndLong()
    {
        const string regName = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+,;=";
        for (int b = 0; b < 256; b++)
        {
            if (b is (byte)':' or (byte)'[')
            {
                continue; // these start a port or an IP literal, not a host byte
            }
            bool shortResult = TargetSyntax.IsValidAuthority(Filled(3, (byte)b), requirePort: false);
            bool longResult = TargetSyntax.IsValidAuthority(Filled(Long, (byte)b), requirePort: false);
            Assert.True(shortResult == longResult, $"byte 0x{b:X2}");
            Assert.Equal(b < 128 && regName.Contains((char)b), shortResult);
        }
    }

    [Fact]
    public void TargetsAreTheSameShortAndLong()
    {
        for (int b = 0; b < 256; b++)
        {
            if (b == '%')
            {
                continue; // what follows a '%' decides; PercentAndFragmentAreTheSameShortAndLong covers it
            }
            Assert.True(ParsesTarget(Target(3, (byte)b)) == ParsesTarget(Target(Long, (byte)b)), $"byte 0x{b:X2}");
        }
    }

    [Theory]
    [InlineData("/a%41b", true)]
    [InlineData("/a%4", false)]
    [InlineData("/a%", false)]
    [InlineData("/a%4G", false)]
    [InlineData("/a%%41", false)]
    [InlineData("/a#b", false)]
    public void PercentAndFragmentAreTheSameShortAndLong(string path, bool valid)
    {
        string padded = "/" + new string('p', Long) + path;
        Assert.Equal(valid, ParsesTarget(path));
        Assert.Equal(valid, ParsesTarget(padded));
    }

    [Theory]
    [InlineData("/p?q=1?x", "/p", "q=1?x")]
    [InlineData("/p", "/p", "")]
    [InlineData("/?", "/", "")]
    [InlineData("http://h/p?q", "/p", "q")]
    [InlineData("http://h?q", "", "q")]
    public void TheQueryStartsAtTheFirstQuestionMarkShortAndLong(string target, string path, string query)
    {
        foreach (string pad in new[] { "", new string('p', Long) })
        {
            int question = target.IndexOf('?', StringComparison.Ordinal);
            string padded = question < 0 ? target + pad : target.Insert(question, pad);
            string expectedPath = path.Length == 0 ? "" : path + pad;
            (RequestHead head, byte[] bytes) = ParseTarget(padded);
            Assert.Equal(expectedPath, Encoding.ASCII.GetString(head.TargetPath.Of(bytes)));
            Assert.Equal(query, Encoding.ASCII.GetString(head.TargetQuery.Of(bytes)));
        }
    }

    private static byte[] Filled(int length, byte b)
    {
        byte[] bytes = new byte[length];
        bytes.AsSpan().Fill((byte)'a');
        bytes[length / 2] = b;
        return bytes;
    }

    private static string Target(int length, byte b) => "/" + Encoding.Latin1.GetString(Filled(length, b));

    private static (RequestHead Head, byte[] Bytes) ParseTarget(string target)
    {
        byte[] bytes = Encoding.Latin1.GetBytes($"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n");
        var head = new RequestHead();
        var parser = new RequestHeadParser(8192, 32768, 100);
        parser.Reset(head);
        Assert.Equal(bytes.Length, parser.Parse(bytes, head));
        return (head, bytes);
    }

    private static bool ParsesTarget(string target)
    {
        try
        {
            ParseTarget(target);
            return true;
        }
        catch (BadHttpRequestException)
        {
            return false;
        }
    }
}
