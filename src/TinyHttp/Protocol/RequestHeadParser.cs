using System;

namespace TinyHttp.Protocol;

/// <summary>
/// RequestHeadParser reads a request line and header section (RFC 9112 §2–§5) from a byte buffer
/// that grows as data arrives. It keeps its place between calls, so a head delivered one byte at a
/// time is scanned once, and it rejects a line as soon as that line is complete. It never allocates.
/// </summary>
/// <remarks>
/// Choices where the RFC allows more than one: only CRLF ends a line (a bare LF is rejected rather
/// than accepted, because lenient line endings are a request-smuggling vector between peers that
/// disagree); obs-fold is rejected (RFC 9112 §5.2 allows rejecting); duplicate Content-Length fields are
/// rejected even when equal (RFC 9110 §8.6 allows either).
/// </remarks>
internal sealed class RequestHeadParser
{
    private readonly int _maxRequestLineLength;
    private readonly int _maxHeadersTotalSize;
    private readonly int _maxHeaderCount;

    private int _lineStart;
    private bool _requestLineParsed;
    private int _headerSectionStart;
    private int _chunkedCount;
    private bool _finalCodingIsChunked;
    private bool _hasOtherCoding;
    private bool _hasUnsupportedExpectation;

    public RequestHeadParser(int maxRequestLineLength, int maxHeadersTotalSize, int maxHeaderCount)
    {
        _maxRequestLineLength = maxRequestLineLength;
        _maxHeadersTotalSize = maxHeadersTotalSize;
        _maxHeaderCount = maxHeaderCount;
    }

    /// <summary>True once any byte of the request line (not just leading empty lines) has been seen.</summary>
    public bool HasStarted(ReadOnlySpan<byte> buffer) => _requestLineParsed || buffer.Length > _lineStart;

    public void Reset(RequestHead head)
    {
        _lineStart = 0;
        _requestLineParsed = false;
        _headerSectionStart = 0;
        _chunkedCount = 0;
        _finalCodingIsChunked = false;
        _hasOtherCoding = false;
        _hasUnsupportedExpectation = false;
        head.Reset();
    }

    /// <summary>
    /// Parses the complete lines in <paramref name="buffer"/> that were not parsed before.
    /// Returns the length of the head (through the empty line) when it is complete, otherwise -1.
    /// </summary>
    /// <exception cref="BadHttpRequestException">The head breaks RFC 9112 or a limit.</exception>
    public int Parse(ReadOnlySpan<byte> buffer, RequestHead head)
    {
        while (true)
        {
            ReadOnlySpan<byte> rest = buffer.Slice(_lineStart);
            int lf = rest.IndexOf((byte)'\n');
            if (lf < 0)
            {
                CheckIncompleteLine(buffer.Length);
                return -1;
            }
            if (lf == 0 || rest[lf - 1] != (byte)'\r')
            {
                throw new BadHttpRequestException(RequestRejectionReason.BareLineFeed);
            }

            int lineStart = _lineStart;
            ReadOnlySpan<byte> line = rest.Slice(0, lf - 1);
            _lineStart += lf + 1;

            if (!_requestLineParsed)
            {
                if (line.IsEmpty)
                {
                    // RFC 9112 §2.2: ignore empty lines before the request line; they count toward its limit.
                    if (_lineStart > _maxRequestLineLength)
                    {
                        throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestLine);
                    }
                    continue;
                }
                if (line.Length > _maxRequestLineLength)
                {
                    throw new BadHttpRequestException(RequestRejectionReason.RequestLineTooLong);
                }
                ParseRequestLine(line, lineStart, head);
                _requestLineParsed = true;
                _headerSectionStart = _lineStart;
                continue;
            }

            if (line.IsEmpty)
            {
                Finish(head);
                return _lineStart;
            }
            if (_lineStart - _headerSectionStart > _maxHeadersTotalSize)
            {
                throw new BadHttpRequestException(RequestRejectionReason.HeadersTooLarge);
            }
            ParseFieldLine(line, lineStart, head);
        }
    }

    private void CheckIncompleteLine(int bufferLength)
    {
        // The +1 / +2 allow for a CR or CRLF that has arrived without its LF yet.
        if (!_requestLineParsed)
        {
            if (bufferLength - _lineStart > _maxRequestLineLength + 1)
            {
                throw new BadHttpRequestException(RequestRejectionReason.RequestLineTooLong);
            }
        }
        else if (bufferLength - _headerSectionStart > _maxHeadersTotalSize + 2)
        {
            throw new BadHttpRequestException(RequestRejectionReason.HeadersTooLarge);
        }
    }

    // RFC 9112 §3: request-line = method SP request-target SP HTTP-version
    private static void ParseRequestLine(ReadOnlySpan<byte> line, int offset, RequestHead head)
    {
        int sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0)
        {
            throw new BadHttpRequestException(sp1 == 0 || line.IndexOf((byte)'\t') < 0
                ? RequestRejectionReason.InvalidRequestLine
                : RequestRejectionReason.InvalidMethod);
        }
        ReadOnlySpan<byte> method = line.Slice(0, sp1);
        if (!HttpCharacters.IsToken(method))
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidMethod);
        }

        ReadOnlySpan<byte> afterMethod = line.Slice(sp1 + 1);
        int sp2 = afterMethod.IndexOf((byte)' ');
        if (sp2 <= 0)
        {
            // No second SP means HTTP/0.9 style or a missing version; a leading SP means a doubled separator.
            throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestLine);
        }
        ReadOnlySpan<byte> target = afterMethod.Slice(0, sp2);
        ReadOnlySpan<byte> version = afterMethod.Slice(sp2 + 1);

        head.Method = new ByteRange(offset, sp1);
        head.Target = new ByteRange(offset + sp1 + 1, sp2);
        head.MinorVersion = ParseVersion(version);
        ClassifyTarget(method, target, head.Target.Start, head);
    }

    // RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT, HTTP-name is case-sensitive.
    private static int ParseVersion(ReadOnlySpan<byte> version)
    {
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || version[6] != (byte)'.'
            || !char.IsAsciiDigit((char)version[5]) || !char.IsAsciiDigit((char)version[7]))
        {
            throw new BadHttpRequestException(version.IndexOfAny((byte)' ', (byte)'\t') >= 0
                ? RequestRejectionReason.InvalidRequestLine
                : RequestRejectionReason.InvalidHttpVersion);
        }
        if (version[5] != (byte)'1')
        {
            throw new BadHttpRequestException(RequestRejectionReason.UnsupportedHttpVersion);
        }
        // RFC 9110 §2.5: a higher minor version of a known major version is processed as the highest we implement.
        return version[7] == (byte)'0' ? 0 : 1;
    }

    // RFC 9112 §3.2: origin-form, absolute-form, authority-form (CONNECT only), asterisk-form (OPTIONS only).
    private static void ClassifyTarget(ReadOnlySpan<byte> method, ReadOnlySpan<byte> target, int offset, RequestHead head)
    {
        if (!IsValidTargetBytes(target, out int question))
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestTarget);
        }

        bool isConnect = method.SequenceEqual("CONNECT"u8);
        if (isConnect)
        {
            if (!TargetSyntax.IsValidAuthority(target, requirePort: true))
            {
                throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestTarget);
            }
            head.TargetForm = RequestTargetForm.Authority;
            head.TargetPath = new ByteRange(offset, 0);
            head.TargetQuery = new ByteRange(offset + target.Length, 0);
            return;
        }

        if (target[0] == (byte)'/')
        {
            head.TargetForm = RequestTargetForm.Origin;
            SetPathAndQuery(target, offset, question, head);
            return;
        }

        if (target.Length == 1 && target[0] == (byte)'*')
        {
            if (!method.SequenceEqual("OPTIONS"u8))
            {
                throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestTarget);
            }
            head.TargetForm = RequestTargetForm.Asterisk;
            head.TargetPath = new ByteRange(offset, 1);
            head.TargetQuery = new ByteRange(offset + 1, 0);
            return;
        }

        int pathStart = TargetSyntax.AbsoluteFormPathStart(target);
        if (pathStart < 0)
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidRequestTarget);
        }
        head.TargetForm = RequestTargetForm.Absolute;
        SetPathAndQuery(target.Slice(pathStart), offset + pathStart, question < 0 ? -1 : question - pathStart, head);
    }

    private static void SetPathAndQuery(ReadOnlySpan<byte> pathAndQuery, int offset, int question, RequestHead head)
    {
        if (question < 0)
        {
            head.TargetPath = new ByteRange(offset, pathAndQuery.Length);
            head.TargetQuery = new ByteRange(offset + pathAndQuery.Length, 0);
        }
        else
        {
            head.TargetPath = new ByteRange(offset, question);
            head.TargetQuery = new ByteRange(offset + question + 1, pathAndQuery.Length - question - 1);
        }
    }

    // Visible ASCII only, no fragment (RFC 9112 §3.2 has none), and every '%' followed by two hex digits (RFC 3986 §2.1).
    // Also finds the first '?', where the query starts (-1 when there is none).
    private static bool IsValidTargetBytes(ReadOnlySpan<byte> target, out int question)
    {
        if (target.Length < HttpCharacters.ShortScanLength)
        {
            return IsValidShortTarget(target, out question);
        }
        question = target.IndexOf((byte)'?');
        if (target.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) >= 0 || target.IndexOf((byte)'#') >= 0)
        {
            return false;
        }
        int percent = target.IndexOf((byte)'%');
        while (percent >= 0)
        {
            if (!IsPercentEscape(target, percent))
            {
                return false;
            }
            int next = target.Slice(percent + 3).IndexOf((byte)'%');
            percent = next < 0 ? -1 : percent + 3 + next;
        }
        return true;
    }

    // RFC 3986 §2.1: pct-encoded = "%" HEXDIG HEXDIG
    private static bool IsPercentEscape(ReadOnlySpan<byte> target, int percent) =>
        percent + 2 < target.Length && HttpCharacters.HexValue(target[percent + 1]) >= 0 && HttpCharacters.HexValue(target[percent + 2]) >= 0;

    private static bool IsValidShortTarget(ReadOnlySpan<byte> target, out int question)
    {
        question = -1;
        for (int i = 0; i < target.Length; i++)
        {
            byte b = target[i];
            if ((uint)(b - 0x21) > 0x7E - 0x21 || b == (byte)'#')
            {
                return false;
            }
            if (b == (byte)'%')
            {
                if (!IsPercentEscape(target, i))
                {
                    return false;
                }
                i += 2;
            }
            else if (b == (byte)'?' && question < 0)
            {
                question = i;
            }
        }
        return true;
    }

    // RFC 9112 §5.1: field-line = field-name ":" OWS field-value OWS
    private void ParseFieldLine(ReadOnlySpan<byte> line, int offset, RequestHead head)
    {
        // The name is the token before the colon: one scan finds both. Anything else is a rejection, sorted out below.
        int colon = HttpCharacters.TokenLength(line);
        if (colon == 0 || colon == line.Length || line[colon] != (byte)':')
        {
            throw new BadHttpRequestException(FieldLineRejection(line));
        }
        ReadOnlySpan<byte> name = line.Slice(0, colon);

        ReadOnlySpan<byte> rawValue = line.Slice(colon + 1);
        int leading = 0;
        while (leading < rawValue.Length && HttpCharacters.IsWhitespace(rawValue[leading]))
        {
            leading++;
        }
        ReadOnlySpan<byte> value = HttpCharacters.TrimWhitespace(rawValue);
        if (HttpCharacters.IndexOfInvalidFieldValueByte(value) >= 0)
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidHeaderValue);
        }
        if (head.HeaderCount >= _maxHeaderCount)
        {
            throw new BadHttpRequestException(RequestRejectionReason.TooManyHeaders);
        }

        head.AddHeader(new HeaderField(
            new ByteRange(offset, colon),
            new ByteRange(offset + colon + 1 + leading, value.Length)));
        ApplyFramingField(name, value, head);
    }

    private static RequestRejectionReason FieldLineRejection(ReadOnlySpan<byte> line)
    {
        if (HttpCharacters.IsWhitespace(line[0]))
        {
            // RFC 9112 §5.2 (obs-fold), and §2.2 for whitespace before the first field line.
            return RequestRejectionReason.ObsoleteLineFolding;
        }
        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return RequestRejectionReason.InvalidHeaderLine;
        }
        // RFC 9112 §5.1: "No whitespace is allowed between the field name and colon" — MUST reject with 400.
        return HttpCharacters.IsWhitespace(line[colon - 1])
            ? RequestRejectionReason.WhitespaceBeforeColon
            : RequestRejectionReason.InvalidHeaderName;
    }

    private void ApplyFramingField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, RequestHead head)
    {
        switch (name.Length)
        {
            case 4 when HttpCharacters.EqualsLowerAscii(name, "host"u8):
                if (++head.HostCount > 1)
                {
                    throw new BadHttpRequestException(RequestRejectionReason.MultipleHost);
                }
                if (!TargetSyntax.IsValidAuthority(value, requirePort: false))
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidHost);
                }
                break;
            case 14 when HttpCharacters.EqualsLowerAscii(name, "content-length"u8):
                if (head.ContentLength >= 0)
                {
                    throw new BadHttpRequestException(RequestRejectionReason.MultipleContentLength);
                }
                head.ContentLength = ParseContentLength(value);
                break;
            case 17 when HttpCharacters.EqualsLowerAscii(name, "transfer-encoding"u8):
                head.HasTransferEncoding = true;
                ApplyTransferCodings(value);
                break;
            case 10 when HttpCharacters.EqualsLowerAscii(name, "connection"u8):
                ApplyConnectionOptions(value, head);
                break;
            case 6 when HttpCharacters.EqualsLowerAscii(name, "expect"u8):
                ApplyExpectations(value, head);
                break;
        }
    }

    // RFC 9110 §8.6: Content-Length = 1*DIGIT. No sign, no list, no whitespace inside.
    private static long ParseContentLength(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidContentLength);
        }
        long result = 0;
        foreach (byte b in value)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9 || result > (long.MaxValue - digit) / 10)
            {
                throw new BadHttpRequestException(RequestRejectionReason.InvalidContentLength);
            }
            result = result * 10 + digit;
        }
        return result;
    }

    // RFC 9112 §6.1: Transfer-Encoding = #transfer-coding; codings accumulate across field lines in order.
    private void ApplyTransferCodings(ReadOnlySpan<byte> value)
    {
        while (true)
        {
            int comma = value.IndexOf((byte)',');
            ReadOnlySpan<byte> element = comma < 0 ? value : value.Slice(0, comma);
            int semicolon = element.IndexOf((byte)';');
            ReadOnlySpan<byte> coding = HttpCharacters.TrimWhitespace(semicolon < 0 ? element : element.Slice(0, semicolon));
            if (!coding.IsEmpty)
            {
                if (HttpCharacters.EqualsLowerAscii(coding, "chunked"u8))
                {
                    _chunkedCount++;
                    _finalCodingIsChunked = true;
                }
                else if (HttpCharacters.IsToken(coding))
                {
                    _hasOtherCoding = true;
                    _finalCodingIsChunked = false;
                }
                else
                {
                    throw new BadHttpRequestException(RequestRejectionReason.ChunkedNotFinalTransferCoding);
                }
            }
            else if (semicolon >= 0)
            {
                throw new BadHttpRequestException(RequestRejectionReason.ChunkedNotFinalTransferCoding);
            }
            if (comma < 0)
            {
                return;
            }
            value = value.Slice(comma + 1);
        }
    }

    // RFC 9110 §10.1.1: Expect = #expectation; empty list elements are ignored (§5.6.1), and
    // 100-continue is the only expectation defined, matched case-insensitively.
    private void ApplyExpectations(ReadOnlySpan<byte> value, RequestHead head)
    {
        while (true)
        {
            int comma = value.IndexOf((byte)',');
            ReadOnlySpan<byte> expectation = HttpCharacters.TrimWhitespace(comma < 0 ? value : value.Slice(0, comma));
            if (HttpCharacters.EqualsLowerAscii(expectation, "100-continue"u8))
            {
                head.ExpectContinue = true;
            }
            else if (!expectation.IsEmpty)
            {
                _hasUnsupportedExpectation = true;
            }
            if (comma < 0)
            {
                return;
            }
            value = value.Slice(comma + 1);
        }
    }

    // RFC 9110 §7.6.1: Connection = #connection-option.
    private static void ApplyConnectionOptions(ReadOnlySpan<byte> value, RequestHead head)
    {
        while (true)
        {
            int comma = value.IndexOf((byte)',');
            ReadOnlySpan<byte> option = HttpCharacters.TrimWhitespace(comma < 0 ? value : value.Slice(0, comma));
            if (HttpCharacters.EqualsLowerAscii(option, "close"u8))
            {
                head.ConnectionClose = true;
            }
            else if (HttpCharacters.EqualsLowerAscii(option, "keep-alive"u8))
            {
                head.ConnectionKeepAlive = true;
            }
            if (comma < 0)
            {
                return;
            }
            value = value.Slice(comma + 1);
        }
    }

    private void Finish(RequestHead head)
    {
        // RFC 9112 §3.2: "A server MUST respond with a 400 to any HTTP/1.1 request message that lacks a Host header field".
        if (head.IsHttp11 && head.HostCount == 0)
        {
            throw new BadHttpRequestException(RequestRejectionReason.MissingHost);
        }
        if (head.HasTransferEncoding)
        {
            // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
            if (!head.IsHttp11)
            {
                throw new BadHttpRequestException(RequestRejectionReason.TransferEncodingInHttp10);
            }
            // RFC 9112 §6.3: TE and CL together "ought to be handled as an error"; it is the classic smuggling vector.
            if (head.ContentLength >= 0)
            {
                throw new BadHttpRequestException(RequestRejectionReason.TransferEncodingWithContentLength);
            }
            // RFC 9112 §6.3: chunked not final → the length cannot be determined → 400 and close.
            // RFC 9112 §7: chunked MUST NOT be applied more than once.
            if (!_finalCodingIsChunked || _chunkedCount != 1)
            {
                throw new BadHttpRequestException(RequestRejectionReason.ChunkedNotFinalTransferCoding);
            }
            // RFC 9112 §6.1: a coding the server does not understand → 501.
            if (_hasOtherCoding)
            {
                throw new BadHttpRequestException(RequestRejectionReason.UnsupportedTransferCoding);
            }
            head.IsChunked = true;
        }
        if (_hasUnsupportedExpectation)
        {
            throw new BadHttpRequestException(RequestRejectionReason.UnsupportedExpectation);
        }
        // RFC 9110 §10.1.1: a server MUST ignore a 100-continue expectation in an HTTP/1.0 request.
        if (!head.IsHttp11)
        {
            head.ExpectContinue = false;
        }
    }
}
