using System;
using System.Buffers.Binary;
using System.Text;
using System.Threading.Tasks;
using TinyHttp.Tests.Infrastructure;

namespace TinyHttp.Tests.WebSockets;

/// <summary>
/// One WebSocket frame as RFC 6455 §5.2 lays it out, for tests that speak the protocol by hand over a
/// <see cref="RawSocket"/>: a client's frames are masked (§5.3), a server's are not (§5.1).
/// </summary>
internal sealed record Frame(bool Fin, bool Rsv1, byte Opcode, byte[] Payload)
{
    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Binary = 0x2;
    public const byte Close = 0x8;

    public string PayloadText => Encoding.UTF8.GetString(Payload);

    /// <summary>A client's frame: FIN, no RSV bits, masked with <paramref name="mask"/> (any four bytes do, §5.3).</summary>
    public static byte[] Masked(byte opcode, byte[] payload, bool fin = true, uint mask = 0x37FA213D)
    {
        int lengthBytes = payload.Length < 126 ? 0 : payload.Length <= ushort.MaxValue ? 2 : 8;
        var frame = new byte[2 + lengthBytes + 4 + payload.Length];
        frame[0] = (byte)((fin ? 0x80 : 0) | opcode);
        switch (lengthBytes)
        {
            case 0:
                frame[1] = (byte)(0x80 | payload.Length);
                break;
            case 2:
                frame[1] = 0x80 | 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
                break;
            default:
                frame[1] = 0x80 | 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
                break;
        }
        Span<byte> key = frame.AsSpan(2 + lengthBytes, 4);
        BinaryPrimitives.WriteUInt32BigEndian(key, mask);
        Span<byte> masked = frame.AsSpan(2 + lengthBytes + 4);
        for (int i = 0; i < payload.Length; i++)
        {
            masked[i] = (byte)(payload[i] ^ key[i % 4]);
        }
        return frame;
    }

    public static byte[] MaskedText(string text, bool fin = true) => Masked(Text, Encoding.UTF8.GetBytes(text), fin);

    /// <summary>A client's Close frame with a status code and reason (§5.5.1).</summary>
    public static byte[] MaskedClose(ushort status, string reason = "")
    {
        byte[] reasonBytes = Encoding.UTF8.GetBytes(reason);
        var payload = new byte[2 + reasonBytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, status);
        reasonBytes.CopyTo(payload, 2);
        return Masked(Close, payload);
    }

    /// <summary>Reads one server frame; throws if it is masked, which a server must never do (§5.1).</summary>
    public static async Task<Frame> ReadAsync(RawSocket socket)
    {
        byte[] head = await ReadBytesAsync(socket, 2);
        if ((head[1] & 0x80) != 0)
        {
            throw new InvalidOperationException("RFC 6455 §5.1: a server must not mask the frames it sends.");
        }
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(await ReadBytesAsync(socket, 2));
        }
        else if (length == 127)
        {
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadBytesAsync(socket, 8));
        }
        byte[] payload = await ReadBytesAsync(socket, checked((int)length));
        return new Frame((head[0] & 0x80) != 0, (head[0] & 0x40) != 0, (byte)(head[0] & 0x0F), payload);
    }

    /// <summary>A Close frame's status code (§5.5.1); 1005 (none given, §7.4.1) when the payload is empty.</summary>
    public int CloseStatus => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 1005;

    private static async Task<byte[]> ReadBytesAsync(RawSocket socket, int count) =>
        count == 0 ? [] : Encoding.Latin1.GetBytes(await socket.ReadExactlyAsync(count));
}
