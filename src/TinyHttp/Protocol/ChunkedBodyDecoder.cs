using System;

namespace TinyHttp.Protocol;

/// <summary>
/// ChunkedBodyDecoder turns chunked transfer coding (RFC 9112 §7.1) into body bytes. It is a byte-level
/// state machine, so chunk lines and trailers may arrive split at any point. Extensions are checked
/// for stray control bytes and ignored; trailer fields are checked for syntax and discarded.
/// </summary>
internal struct ChunkedBodyDecoder
{
    // A chunk-size line's extensions, and the whole trailer section, are bounded so a peer cannot
    // keep us reading framing bytes forever.
    private const int MaxChunkExtensionLength = 4096;

    private enum State : byte
    {
        Size,
        SizeWhitespace,
        Extension,
        SizeLineFeed,
        Data,
        DataCarriageReturn,
        DataLineFeed,
        TrailerLineStart,
        TrailerName,
        TrailerValue,
        TrailerLineFeed,
        EndLineFeed,
        Done,
    }

    private State _state;
    private bool _sawSizeDigit;
    private long _chunkRemaining;
    private int _lineBytes;
    private int _trailerBytes;
    private int _extensionBytes;
    private int _maxTrailerSize;

    public ChunkedBodyDecoder(int maxTrailerSize)
    {
        _maxTrailerSize = maxTrailerSize;
    }

    public readonly bool IsComplete => _state == State.Done;

    /// <summary>
    /// Decodes from <paramref name="input"/> into <paramref name="output"/>. Stops when the body is
    /// complete, the input is used up, or the output is full. Returns true when the body is complete.
    /// </summary>
    /// <exception cref="BadHttpRequestException">The framing is malformed.</exception>
    public bool Decode(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        consumed = 0;
        written = 0;
        while (consumed < input.Length && _state != State.Done)
        {
            if (_state == State.Data)
            {
                int count = (int)Math.Min(_chunkRemaining, Math.Min(input.Length - consumed, output.Length - written));
                if (count == 0)
                {
                    break;
                }
                input.Slice(consumed, count).CopyTo(output.Slice(written));
                consumed += count;
                written += count;
                _chunkRemaining -= count;
                if (_chunkRemaining == 0)
                {
                    _state = State.DataCarriageReturn;
                }
                continue;
            }
            Step(input[consumed]);
            consumed++;
        }
        return _state == State.Done;
    }

    private void Step(byte b)
    {
        switch (_state)
        {
            case State.Size:
                int digit = HttpCharacters.HexValue(b);
                if (digit >= 0)
                {
                    // RFC 9112 §7.1: recipients MUST anticipate large hex numbers and prevent overflow.
                    if (_chunkRemaining > (long.MaxValue >> 4))
                    {
                        throw new BadHttpRequestException(RequestRejectionReason.InvalidChunkSize);
                    }
                    _chunkRemaining = (_chunkRemaining << 4) | (uint)digit;
                    _sawSizeDigit = true;
                    // Leading zeros never overflow, so the line itself is bounded, or a peer could send zeros forever.
                    CountLineByte();
                }
                else if (!_sawSizeDigit)
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidChunkSize);
                }
                else if (b == (byte)'\r')
                {
                    _state = State.SizeLineFeed;
                }
                else if (b == (byte)';')
                {
                    _state = State.Extension;
                }
                else if (HttpCharacters.IsWhitespace(b))
                {
                    _state = State.SizeWhitespace;
                }
                else
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidChunkSize);
                }
                break;

            case State.SizeWhitespace:
                // chunk-ext = *( BWS ";" ... ): whitespace after the size must lead to an extension.
                if (b == (byte)';')
                {
                    _state = State.Extension;
                }
                else if (!HttpCharacters.IsWhitespace(b))
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidChunkSize);
                }
                CountLineByte();
                break;

            case State.Extension:
                if (b == (byte)'\r')
                {
                    _state = State.SizeLineFeed;
                }
                else if (!HttpCharacters.IsFieldValueByte(b))
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidChunkFraming);
                }
                else
                {
                    CountLineByte();
                    CountExtensionByte();
                }
                break;

            case State.SizeLineFeed:
                ExpectLineFeed(b);
                _lineBytes = 0;
                _sawSizeDigit = false;
                _state = _chunkRemaining == 0 ? State.TrailerLineStart : State.Data;
                break;

            case State.DataCarriageReturn:
                if (b != (byte)'\r')
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidChunkFraming);
                }
                _state = State.DataLineFeed;
                break;

            case State.DataLineFeed:
                ExpectLineFeed(b);
                _state = State.Size;
                break;

            case State.TrailerLineStart:
                if (b == (byte)'\r')
                {
                    _state = State.EndLineFeed;
                    break;
                }
                if (!HttpCharacters.IsTokenChar(b))
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidTrailer);
                }
                CountTrailerByte();
                _state = State.TrailerName;
                break;

            case State.TrailerName:
                CountTrailerByte();
                if (b == (byte)':')
                {
                    _state = State.TrailerValue;
                }
                else if (!HttpCharacters.IsTokenChar(b))
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidTrailer);
                }
                break;

            case State.TrailerValue:
                CountTrailerByte();
                if (b == (byte)'\r')
                {
                    _state = State.TrailerLineFeed;
                }
                else if (!HttpCharacters.IsFieldValueByte(b))
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidTrailer);
                }
                break;

            case State.TrailerLineFeed:
                CountTrailerByte();
                if (b != (byte)'\n')
                {
                    throw new BadHttpRequestException(RequestRejectionReason.InvalidTrailer);
                }
                _state = State.TrailerLineStart;
                break;

            case State.EndLineFeed:
                ExpectLineFeed(b);
                _state = State.Done;
                break;
        }
    }

    private static void ExpectLineFeed(byte b)
    {
        if (b != (byte)'\n')
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidChunkFraming);
        }
    }

    private void CountLineByte()
    {
        if (++_lineBytes > MaxChunkExtensionLength)
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidChunkFraming);
        }
    }

    // Extensions are ignored, so they must not be a way to send unbounded bytes that no body limit counts:
    // all extensions of one body share the trailer section's budget.
    private void CountExtensionByte()
    {
        if (++_extensionBytes > _maxTrailerSize)
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidChunkFraming);
        }
    }

    private void CountTrailerByte()
    {
        if (++_trailerBytes > _maxTrailerSize)
        {
            throw new BadHttpRequestException(RequestRejectionReason.InvalidTrailer);
        }
    }
}
