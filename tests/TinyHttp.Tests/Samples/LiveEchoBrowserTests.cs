using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using LiveEcho;
using Xunit;

namespace TinyHttp.Tests.Samples;

/// <summary>
/// samples/LiveEcho as a user sees it: its page in a real browser (Debian's headless Chromium, which .ci/run installs),
/// driven over the Chrome DevTools Protocol, receiving the server's ticks and a message typed in another page.
/// </summary>
public class LiveEchoBrowserTests
{
    // A bound on waiting for something the page shows; passing runs wait a second or two.
    internal const int PageWaitMilliseconds = 20_000;

    [Fact]
    public async Task TwoPages_ReceiveTicks_AndAMessageTypedInOne_ComesBackToBoth_ThenCloseWhenTheServerStops()
    {
        await using LiveEchoServer liveEcho = LiveEchoServer.Start(0);
        string pageUrl = liveEcho.Server.BaseAddress.ToString();
        await using HeadlessChromium chromium = await HeadlessChromium.StartAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));   // a hung browser fails the test, not the run
        await using DevToolsConnection devTools = await DevToolsConnection.ConnectAsync(chromium.BrowserWebSocketUrl, deadline.Token);

        string writer = await devTools.OpenPageAsync(pageUrl, deadline.Token);
        string reader = await devTools.OpenPageAsync(pageUrl, deadline.Token);

        // Ticks come from the server on its own: neither page asked for them.
        const string hasTicked = "document.getElementById('status').textContent === 'open' && Number(document.getElementById('tick').textContent) > 0";
        await devTools.WaitForPageAsync(writer, hasTicked, "the first page to get a server tick", deadline.Token);
        await devTools.WaitForPageAsync(reader, hasTicked, "the second page to get a server tick", deadline.Token);

        // Type into the first page's input as a user does, and click Send.
        string message = $"hello from Chromium {Guid.NewGuid():N}";
        await devTools.SendAsync("Page.bringToFront", null, writer, deadline.Token);
        await devTools.EvaluateAsync(writer, "document.getElementById('text').focus()", deadline.Token);
        await devTools.SendAsync("Input.insertText", new { text = message }, writer, deadline.Token);
        Assert.Equal(message, (await devTools.EvaluateAsync(writer, "document.getElementById('text').value", deadline.Token)).GetString());
        await devTools.ClickAsync(writer, "#send-button", deadline.Token);

        // The page adds nothing itself when it sends: a line in the list is the server's broadcast coming back.
        string hasMessage = "(item => item && { mine: item.className === 'mine' })([...document.querySelectorAll('#messages li')]"
            + $".find(li => li.textContent.endsWith({JsonSerializer.Serialize(": " + message)})))";
        JsonElement inWriter = await devTools.WaitForPageAsync(writer, hasMessage, "the message to come back to the page that sent it", deadline.Token);
        JsonElement inReader = await devTools.WaitForPageAsync(reader, hasMessage, "the message to reach the other page", deadline.Token);
        Assert.True(inWriter.GetProperty("mine").GetBoolean(), "the sender's page marks its own message");
        Assert.False(inReader.GetProperty("mine").GetBoolean(), "the other page does not mark it as its own");
        Assert.Equal("", (await devTools.EvaluateAsync(writer, "document.getElementById('text').value", deadline.Token)).GetString());

        // A graceful stop tells each page the server is going away (RFC 6455 §7.4.1: 1001), and the pages close.
        await liveEcho.StopAsync(deadline.Token);
        const string closed = "document.getElementById('status').textContent.startsWith('closed (1001')";
        await devTools.WaitForPageAsync(writer, closed, "the page to show the server's Close (1001)", deadline.Token);
        await devTools.WaitForPageAsync(reader, closed, "the page to show the server's Close (1001)", deadline.Token);
        Assert.Equal(0, liveEcho.ConnectedPages);
    }

    [Fact]
    public async Task Page_IsSelfContainedHtml_AndOnlyItsOwnOriginMayOpenTheWebSocket()
    {
        await using LiveEchoServer liveEcho = LiveEchoServer.Start(0);
        int port = liveEcho.Server.Port;
        using var client = new HttpClient();

        using HttpResponseMessage page = await client.GetAsync(liveEcho.Server.BaseAddress);
        string html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("new WebSocket(`ws://${location.host}/ws`)", html);
        Assert.DoesNotContain(" src=", html);
        Assert.DoesNotContain(" href=", html);

        var wsUri = new Uri($"ws://127.0.0.1:{port}/ws");
        using (var foreign = new ClientWebSocket())
        {
            foreign.Options.SetRequestHeader("Origin", "http://evil.example");
            foreign.Options.CollectHttpResponseDetails = true;
            await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(wsUri, CancellationToken.None));
            Assert.Equal(HttpStatusCode.Forbidden, foreign.HttpStatusCode);
        }
        foreach (string own in new[] { $"http://localhost:{port}", $"http://127.0.0.1:{port}" })
        {
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("Origin", own);
            await socket.ConnectAsync(wsUri, CancellationToken.None);
            byte[] buffer = new byte[256];
            ValueWebSocketReceiveResult welcome = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            Assert.StartsWith("{\"type\":\"welcome\"", Encoding.UTF8.GetString(buffer, 0, welcome.Count));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
    }
}

/// <summary>Debian's Chromium, headless, with a new empty profile and the DevTools endpoint on a free port; killed with its children on dispose.</summary>
file sealed class HeadlessChromium : IAsyncDisposable
{
    private const string Executable = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly StringBuilder _output = new();

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public Uri BrowserWebSocketUrl { get; private set; } = null!;

    public static async Task<HeadlessChromium> StartAsync()
    {
        if (!File.Exists(Executable))
        {
            Assert.Fail($"Chromium is not installed ({Executable} is missing). .ci/run installs it (apt-get install chromium); "
                + "run .ci/run, or install Debian's chromium package, to run the browser tests.");
        }
        string profile = Directory.CreateTempSubdirectory("liveecho-chromium-").FullName;
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The flags the machine notes give for headless Chromium on a closed network, plus the DevTools port: 0 picks a
        // free one, which Chromium writes to DevToolsActivePort in the profile.
        foreach (string argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }
        var process = new Process { StartInfo = start };
        var chromium = new HeadlessChromium(process, profile);
        process.OutputDataReceived += (_, line) => chromium.Record(line.Data);
        process.ErrorDataReceived += (_, line) => chromium.Record(line.Data);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            chromium.BrowserWebSocketUrl = await chromium.ReadDevToolsAddressAsync();
            return chromium;
        }
        catch
        {
            await chromium.DisposeAsync();
            throw;
        }
    }

    // Chromium writes the file once its DevTools server listens: the port on the first line, the browser's path on the second.
    private async Task<Uri> ReadDevToolsAddressAsync()
    {
        string file = Path.Combine(_profile, "DevToolsActivePort");
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (File.Exists(file))
            {
                string[] lines = (await File.ReadAllTextAsync(file)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (lines.Length >= 2 && int.TryParse(lines[0], out int port))
                {
                    return new Uri($"ws://127.0.0.1:{port}{lines[1]}");
                }
            }
            if (_process.HasExited)
            {
                Assert.Fail($"Chromium exited with code {_process.ExitCode} before opening its DevTools port:\n{Output}");
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Chromium did not write {file} within 30 s:\n{Output}");
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(exited.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Never started, or already gone.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>
/// The Chrome DevTools Protocol over one WebSocket to the browser: commands are JSON objects with an id, answered by a
/// message with the same id; pages are attached as flat sessions, so their commands carry a sessionId. Events that
/// arrive while waiting for an answer are kept for <see cref="WaitForEventAsync"/>.
/// </summary>
file sealed class DevToolsConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly List<JsonElement> _events = [];
    private int _lastId;

    private DevToolsConnection(ClientWebSocket socket) => _socket = socket;

    public static async Task<DevToolsConnection> ConnectAsync(Uri browserUrl, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(browserUrl, cancellationToken);
        return new DevToolsConnection(socket);
    }

    /// <summary>Opens a new tab, attaches to it and loads <paramref name="url"/>; returns the tab's session id.</summary>
    public async Task<string> OpenPageAsync(string url, CancellationToken cancellationToken)
    {
        JsonElement created = await SendAsync("Target.createTarget", new { url = "about:blank" }, null, cancellationToken);
        JsonElement attached = await SendAsync("Target.attachToTarget",
            new { targetId = created.GetProperty("targetId").GetString(), flatten = true }, null, cancellationToken);
        string session = attached.GetProperty("sessionId").GetString()!;
        await SendAsync("Page.enable", null, session, cancellationToken);
        JsonElement navigated = await SendAsync("Page.navigate", new { url }, session, cancellationToken);
        if (navigated.TryGetProperty("errorText", out JsonElement error))
        {
            Assert.Fail($"Chromium could not load {url}: {error}");
        }
        await WaitForEventAsync("Page.loadEventFired", session, cancellationToken);
        return session;
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page, awaiting it if it is a promise; returns its value as JSON.</summary>
    public async Task<JsonElement> EvaluateAsync(string session, string expression, CancellationToken cancellationToken)
    {
        JsonElement evaluated = await SendAsync("Runtime.evaluate",
            new { expression, awaitPromise = true, returnByValue = true }, session, cancellationToken);
        if (evaluated.TryGetProperty("exceptionDetails", out JsonElement exception))
        {
            Assert.Fail($"The page threw evaluating {expression}: {exception}");
        }
        return evaluated.GetProperty("result").TryGetProperty("value", out JsonElement value) ? value : default;
    }

    /// <summary>
    /// Waits inside the page until <paramref name="condition"/> (a JavaScript expression) is truthy, checking it at every
    /// change of the DOM, and returns its value; fails with the page's text if it is not within the bound.
    /// </summary>
    public async Task<JsonElement> WaitForPageAsync(string session, string condition, string what, CancellationToken cancellationToken)
    {
        string script = $$"""
            new Promise(resolve => {
              let observer = null, timer = null;
              const finish = (ok, value) => {
                observer.disconnect();
                clearTimeout(timer);
                resolve({ ok, value, page: document.body ? document.body.innerText : document.documentElement.outerHTML });
              };
              const check = () => { const value = ({{condition}}); if (value) finish(true, value); };
              observer = new MutationObserver(check);
              observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
              timer = setTimeout(() => finish(false, null), {{LiveEchoBrowserTests.PageWaitMilliseconds}});
              check();
            })
            """;
        JsonElement outcome = await EvaluateAsync(session, script, cancellationToken);
        Assert.True(outcome.GetProperty("ok").GetBoolean(),
            $"Waited {LiveEchoBrowserTests.PageWaitMilliseconds} ms for {what} ({condition}); the page shows:\n{outcome.GetProperty("page").GetString()}");
        return outcome.GetProperty("value");
    }

    /// <summary>Clicks the middle of the element <paramref name="selector"/> names with the mouse, as a user does.</summary>
    public async Task ClickAsync(string session, string selector, CancellationToken cancellationToken)
    {
        JsonElement middle = await EvaluateAsync(session,
            $"(r => [r.left + r.width / 2, r.top + r.height / 2])(document.querySelector({JsonSerializer.Serialize(selector)}).getBoundingClientRect())",
            cancellationToken);
        double x = middle[0].GetDouble();
        double y = middle[1].GetDouble();
        await SendAsync("Input.dispatchMouseEvent", new { type = "mouseMoved", x, y }, session, cancellationToken);
        await SendAsync("Input.dispatchMouseEvent", new { type = "mousePressed", x, y, button = "left", clickCount = 1 }, session, cancellationToken);
        await SendAsync("Input.dispatchMouseEvent", new { type = "mouseReleased", x, y, button = "left", clickCount = 1 }, session, cancellationToken);
    }

    /// <summary>Sends one command and returns its result; a protocol error fails the test.</summary>
    public async Task<JsonElement> SendAsync(string method, object? parameters, string? session, CancellationToken cancellationToken)
    {
        int id = ++_lastId;
        var command = new Dictionary<string, object?> { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new { } };
        if (session is not null)
        {
            command["sessionId"] = session;
        }
        await _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(command), WebSocketMessageType.Text, true, cancellationToken);
        while (true)
        {
            JsonElement message = await ReceiveAsync(cancellationToken);
            if (!message.TryGetProperty("id", out JsonElement answered))
            {
                _events.Add(message);
                continue;
            }
            if (answered.GetInt32() != id)
            {
                continue;
            }
            if (message.TryGetProperty("error", out JsonElement error))
            {
                Assert.Fail($"DevTools refused {method}: {error}");
            }
            return message.GetProperty("result");
        }
    }

    public async Task<JsonElement> WaitForEventAsync(string method, string session, CancellationToken cancellationToken)
    {
        while (true)
        {
            for (int i = 0; i < _events.Count; i++)
            {
                if (IsEvent(_events[i], method, session))
                {
                    JsonElement found = _events[i];
                    _events.RemoveAt(i);
                    return found;
                }
            }
            JsonElement message = await ReceiveAsync(cancellationToken);
            if (IsEvent(message, method, session))
            {
                return message;
            }
            _events.Add(message);
        }
    }

    private static bool IsEvent(JsonElement message, string method, string session) =>
        message.TryGetProperty("method", out JsonElement m) && m.GetString() == method
        && message.TryGetProperty("sessionId", out JsonElement s) && s.GetString() == session;

    private async Task<JsonElement> ReceiveAsync(CancellationToken cancellationToken)
    {
        var message = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        ValueWebSocketReceiveResult received;
        do
        {
            received = await _socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                Assert.Fail("Chromium closed the DevTools connection.");
            }
            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        using JsonDocument document = JsonDocument.Parse(message.GetBuffer().AsMemory(0, (int)message.Length));
        return document.RootElement.Clone();
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
