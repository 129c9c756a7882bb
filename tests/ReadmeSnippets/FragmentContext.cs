using TinyHttp.Testing;

namespace ReadmeSnippets;

/// <summary>
/// FragmentContext holds what the READMEs' fragments (a few lines of a test, without a class) refer to: <c>server</c>, a
/// <see cref="TinyHttpServerFixture"/> as in "A server fixture for your handler", and <c>stub</c>, a <see cref="StubServer"/>.
/// The fragments compile against it; they do not run.
/// </summary>
public abstract class FragmentContext
{
#pragma warning disable IDE1006, SA1300 // The names are the README's.
    protected readonly TinyHttpServerFixture server = null!;
    protected readonly StubServer stub = null!;
#pragma warning restore IDE1006, SA1300
}
