using System.Buffers;

namespace TinyHttp.Server;

/// <summary>
/// The pool every connection's buffers come from. The shared ArrayPool keeps only a few arrays per size and
/// core, fewer than the connections a busy server holds at once, so under connection churn it kept allocating
/// fresh buffers that lived long enough to be promoted (gen2 collections in the connection-per-request bench).
/// This pool keeps enough arrays per size for thousands of connections; it holds only what was returned.
/// </summary>
internal static class ConnectionBuffers
{
    public static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 1024 * 1024, maxArraysPerBucket: 4096);
}
