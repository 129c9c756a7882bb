using System;

namespace TinyHttp.Testing;

/// <summary>
/// TinyHttpAssertionException reports a failed check of this package: a snapshot that does not match, or a stub
/// server that did not receive what a test expected. Every test framework shows it as a failure with its message;
/// the package does not depend on any framework's assertion library.
/// </summary>
public sealed class TinyHttpAssertionException : Exception
{
    /// <summary>Creates the exception with a message that says what was expected and what happened.</summary>
    /// <param name="message">The failure message.</param>
    public TinyHttpAssertionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">The failure message.</param>
    /// <param name="innerException">The cause.</param>
    public TinyHttpAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
