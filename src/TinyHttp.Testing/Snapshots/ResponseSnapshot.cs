using System;
using System.Runtime.CompilerServices;

namespace TinyHttp.Testing;

/// <summary>
/// ResponseSnapshot pins the exact bytes of a response in a text file beside the test, on Verify's conventions:
/// <c>{TestClass}.{TestMethod}.verified.txt</c> holds the accepted snapshot, and a differing run writes
/// <c>{TestClass}.{TestMethod}.received.txt</c> and fails with a diff. Volatile values (the <c>Date</c> header,
/// and whatever <see cref="SnapshotSettings"/> names) become placeholders.
/// </summary>
/// <remarks>
/// A missing verified file fails the test: locally the received file is written for review; under <c>CI=true</c>
/// nothing is written. Setting the environment variable <see cref="AcceptVariable"/> (<c>TINYHTTP_ACCEPT_SNAPSHOTS=1</c>)
/// accepts every received snapshot: the verified files are written and the tests pass.
/// </remarks>
public static class ResponseSnapshot
{
    /// <summary>AcceptVariable is the environment variable that, set to <c>1</c> or <c>true</c>, makes verification write the verified files instead of comparing.</summary>
    public const string AcceptVariable = "TINYHTTP_ACCEPT_SNAPSHOTS";

    private static readonly SnapshotSettings DefaultSettings = new();

    /// <summary>
    /// Render returns the snapshot text of <paramref name="response"/> (and the interim 1xx responses before it):
    /// one line per wire line, CR, LF and every byte that is not printable ASCII escaped, placeholders scrubbed in.
    /// Hand it to another snapshot library if you prefer one.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="settings">Scrubbers to apply; null for the defaults (only <c>Date</c>).</param>
    /// <returns>The snapshot text, ending in a newline.</returns>
    public static string Render(RawHttpResponse response, SnapshotSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        return SnapshotRenderer.Render(response, settings ?? DefaultSettings);
    }

    /// <summary>
    /// Render returns the snapshot text of raw bytes: each complete response in them has its headers scrubbed,
    /// and anything that is not a complete response is shown line by line as it is.
    /// </summary>
    /// <param name="bytes">Bytes received from a server, for example from <see cref="RawHttpConnection.ReadToEndAsync"/>.</param>
    /// <param name="settings">Scrubbers to apply; null for the defaults (only <c>Date</c>).</param>
    /// <returns>The snapshot text, ending in a newline (empty for no bytes).</returns>
    public static string Render(ReadOnlySpan<byte> bytes, SnapshotSettings? settings = null) =>
        SnapshotRenderer.Render(bytes, settings ?? DefaultSettings);

    /// <summary>Verify compares the snapshot of <paramref name="response"/> with the test's verified file.</summary>
    /// <param name="response">The response to pin.</param>
    /// <param name="settings">Scrubbers, folder and file name; null for the defaults.</param>
    /// <param name="sourceFilePath">Filled in by the compiler: the calling test's source file.</param>
    /// <param name="testMethod">Filled in by the compiler: the calling test method.</param>
    /// <exception cref="TinyHttpAssertionException">The snapshot differs from the verified file, or there is no verified file.</exception>
    public static void Verify(
        RawHttpResponse response,
        SnapshotSettings? settings = null,
        [CallerFilePath] string sourceFilePath = "",
        [CallerMemberName] string testMethod = "")
    {
        ArgumentNullException.ThrowIfNull(response);
        settings ??= DefaultSettings;
        SnapshotFile.Verify(SnapshotRenderer.Render(response, settings), settings, sourceFilePath, testMethod);
    }

    /// <summary>Verify compares the snapshot of raw response bytes (one or more responses, or anything a server sent) with the test's verified file.</summary>
    /// <param name="bytes">The bytes to pin.</param>
    /// <param name="settings">Scrubbers, folder and file name; null for the defaults.</param>
    /// <param name="sourceFilePath">Filled in by the compiler: the calling test's source file.</param>
    /// <param name="testMethod">Filled in by the compiler: the calling test method.</param>
    /// <exception cref="TinyHttpAssertionException">The snapshot differs from the verified file, or there is no verified file.</exception>
    public static void Verify(
        ReadOnlyMemory<byte> bytes,
        SnapshotSettings? settings = null,
        [CallerFilePath] string sourceFilePath = "",
        [CallerMemberName] string testMethod = "")
    {
        settings ??= DefaultSettings;
        SnapshotFile.Verify(SnapshotRenderer.Render(bytes.Span, settings), settings, sourceFilePath, testMethod);
    }
}
