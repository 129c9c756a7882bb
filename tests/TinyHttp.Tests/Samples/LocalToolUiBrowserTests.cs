using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit;

namespace TinyHttp.Tests.Samples;

/// <summary>
/// samples/LocalToolUi as a user meets it: started as its own process, it prints its URL; its page, in a real browser
/// (Debian's headless Chromium driven through chromedriver by Selenium, both installed by .ci/run), loads its script and
/// styles, shows the notes the JSON API holds, and adds and deletes notes through that API; SIGTERM stops it cleanly.
/// </summary>
public class LocalToolUiBrowserTests
{
    private static readonly TimeSpan PageWait = TimeSpan.FromSeconds(20);   // passing runs wait well under a second

    [Fact]
    public async Task Page_LoadsItsScriptAndStyles_ShowsTheApisNotes_AndAddsAndDeletesThroughTheApi()
    {
        await using LocalToolUiProcess tool = await LocalToolUiProcess.StartAsync();
        using var api = new HttpClient { BaseAddress = tool.Url };

        // A note put in over the API before the page opens: the page can show it only by fetching it.
        const string seededText = "Seeded over the API: <b>shown as text</b>";
        int seededId = await AddNoteAsync(api, seededText);

        using ChromeDriver browser = HeadlessChromeDriver.Start();
        browser.Navigate().GoToUrl(tool.Url);
        var wait = new WebDriverWait(browser, PageWait);
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));

        // The script ran: it fetched the list and rendered an item for the note, its text as text, not as markup.
        wait.Message = $"the page to render note {seededId} from GET /api/notes";
        IWebElement seeded = wait.Until(driver => driver.FindElements(By.CssSelector($"#notes li[data-id='{seededId}']")).FirstOrDefault());
        Assert.Equal(seededText, seeded.FindElement(By.CssSelector(".text")).Text);
        Assert.Empty(seeded.FindElements(By.TagName("b")));
        Assert.Equal("1 note", browser.FindElement(By.Id("status")).Text);

        // The stylesheet applied: app.css gives each note a blue left border.
        Assert.Equal("rgba(47, 111, 235, 1)", seeded.GetCssValue("border-left-color"));
        Assert.Equal("4px", seeded.GetCssValue("border-left-width"));

        // Add a note as a user does: type it, press the button. The page lists it only from the API's answer.
        string added = $"Added in Chromium {Guid.NewGuid():N}";
        browser.FindElement(By.Id("note-text")).SendKeys(added);
        browser.FindElement(By.Id("add")).Click();
        wait.Message = "the note typed into the page to be listed";
        wait.Until(driver => driver.FindElements(By.CssSelector("#notes li .text")).Any(text => text.Text == added));
        Assert.Equal("", browser.FindElement(By.Id("note-text")).GetDomProperty("value"));
        Assert.Equal("2 notes", browser.FindElement(By.Id("status")).Text);
        List<NoteJson> stored = await GetNotesAsync(api);
        Assert.Equal([seededText, added], stored.Select(note => note.Text));

        // Delete the first note with its button: it leaves the page and the API.
        browser.FindElement(By.CssSelector($"#notes li[data-id='{seededId}'] .delete")).Click();
        wait.Message = $"note {seededId} to leave the page after its Delete button";
        wait.Until(driver => driver.FindElements(By.CssSelector($"#notes li[data-id='{seededId}']")).Count == 0);
        Assert.Equal("1 note", browser.FindElement(By.Id("status")).Text);
        using (HttpResponseMessage gone = await api.GetAsync($"api/notes/{seededId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }
        Assert.Equal([added], (await GetNotesAsync(api)).Select(note => note.Text));

        (int exitCode, string output) = await tool.TerminateAsync();
        Assert.True(exitCode == 0, $"LocalToolUi exited with {exitCode} after SIGTERM:\n{output}");
        Assert.Contains("Stopped.", output);
    }

    [Fact]
    public async Task Api_RefusesWhatThePageNeverSends_AndOtherHostNames()
    {
        await using LocalToolUiProcess tool = await LocalToolUiProcess.StartAsync();
        using var api = new HttpClient { BaseAddress = tool.Url };

        // Another site's page can send a text/plain POST without a preflight; the API takes only application/json.
        using (HttpResponseMessage plain = await api.PostAsync("api/notes", new StringContent("""{"text":"x"}""", Encoding.UTF8, "text/plain")))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        }
        foreach (string body in new[] { """{"text":"   "}""", "{}", """{"text":""", "[]", $$"""{"text":"{{new string('a', 1001)}}"}""" })
        {
            using HttpResponseMessage bad = await api.PostAsync("api/notes", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True(bad.StatusCode == HttpStatusCode.BadRequest, $"POST {body[..Math.Min(body.Length, 20)]} got {(int)bad.StatusCode}");
            Assert.Equal("application/json", bad.Content.Headers.ContentType?.MediaType);
        }
        using (HttpResponseMessage missing = await api.DeleteAsync("api/notes/42"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        using (HttpResponseMessage notANumber = await api.GetAsync("api/notes/first"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notANumber.StatusCode);
        }
        using (HttpResponseMessage put = await api.PutAsync("api/notes/1", new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
        }

        // DNS rebinding: a page whose own name resolves to 127.0.0.1 reaches the port, with its name in Host.
        using (var rebound = new HttpRequestMessage(HttpMethod.Get, "api/notes"))
        {
            rebound.Headers.Host = $"attacker.example:{tool.Url.Port}";
            using HttpResponseMessage refused = await api.SendAsync(rebound);
            Assert.Equal(HttpStatusCode.MisdirectedRequest, refused.StatusCode);
        }
        using (HttpResponseMessage byAddress = await api.GetAsync($"http://127.0.0.1:{tool.Url.Port}/api/notes"))
        {
            Assert.Equal(HttpStatusCode.OK, byAddress.StatusCode);
        }
    }

    [Fact]
    public void Readme_ShowsTheWholeProgram()
    {
        string root = RepositoryRoot();
        string program = File.ReadAllText(Path.Combine(root, "samples", "LocalToolUi", "Program.cs")).ReplaceLineEndings("\n");
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        const string opening = "```csharp\n// A local tool with a web UI";
        int start = readme.IndexOf(opening, StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no ```csharp block starting with Program.cs's first line; paste samples/LocalToolUi/Program.cs there.");
        start += "```csharp\n".Length;
        int end = readme.IndexOf("\n```\n", start, StringComparison.Ordinal);
        Assert.True(readme.AsSpan(start, end + 1 - start).SequenceEqual(program),
            "README.md's LocalToolUi block differs from samples/LocalToolUi/Program.cs; paste the whole file there again.");
    }

    private static async Task<int> AddNoteAsync(HttpClient api, string text)
    {
        using var content = new StringContent(JsonSerializer.Serialize(new { text }), Encoding.UTF8, "application/json");
        using HttpResponseMessage created = await api.PostAsync("api/notes", content);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        NoteJson note = JsonSerializer.Deserialize<NoteJson>(await created.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
        Assert.Equal($"/api/notes/{note.Id}", created.Headers.Location?.OriginalString);
        return note.Id;
    }

    private static async Task<List<NoteJson>> GetNotesAsync(HttpClient api) =>
        JsonSerializer.Deserialize<List<NoteJson>>(await api.GetStringAsync("api/notes"), JsonSerializerOptions.Web)!;

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TinyHttp.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No TinyHttp.sln above {AppContext.BaseDirectory}.");
    }

    private sealed record NoteJson(int Id, string Text, DateTimeOffset Created);
}

/// <summary>
/// The sample as its own process (<c>dotnet LocalToolUi.dll --port 0</c>), the way a user runs it; its URL is read from
/// what it prints. Killed with its children on dispose if still running.
/// </summary>
file sealed class LocalToolUiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _url = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LocalToolUiProcess(Process process) => _process = process;

    /// <summary>The URL the tool printed.</summary>
    public Uri Url { get; private set; } = null!;

    public static async Task<LocalToolUiProcess> StartAsync()
    {
        // The test project builds the sample and records where (TinyHttp.Tests.csproj, PassLocalToolUiPath).
        string assembly = typeof(LocalToolUiProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "LocalToolUiAssembly").Value!;
        if (!File.Exists(assembly))
        {
            Assert.Fail($"The LocalToolUi sample is not built at {assembly}; build tests/TinyHttp.Tests, which builds it.");
        }
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),   // the page comes from wwwroot next to the program, wherever it runs
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        var process = new Process { StartInfo = start };
        var tool = new LocalToolUiProcess(process);
        process.OutputDataReceived += (_, line) => tool.Record(line.Data);
        process.ErrorDataReceived += (_, line) => tool.Record(line.Data);
        process.Exited += (_, _) => tool._url.TrySetException(new InvalidOperationException("LocalToolUi exited before printing its URL."));
        process.EnableRaisingEvents = true;
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                tool.Url = await tool._url.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                Assert.Fail($"LocalToolUi printed no URL ({ex.Message}); its output:\n{tool.Output}");
            }
            return tool;
        }
        catch
        {
            await tool.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends SIGTERM, as <c>docker stop</c> or systemd would, and waits for the process to exit.</summary>
    public async Task<(int ExitCode, string Output)> TerminateAsync()
    {
        if (Kill(_process.Id, SIGTERM) != 0)
        {
            Assert.Fail($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(exited.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"LocalToolUi did not exit within 30 s of SIGTERM; its output:\n{Output}");
        }
        return (_process.ExitCode, Output);
    }

    private const int SIGTERM = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

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
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
        // "Notes: open http://localhost:PORT/ in a browser — press Ctrl+C to stop."
        int at = line.IndexOf("http://", StringComparison.Ordinal);
        if (at >= 0)
        {
            int end = line.IndexOf(' ', at);
            _url.TrySetResult(new Uri(end < 0 ? line[at..] : line[at..end]));
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
        }
    }
}

/// <summary>Debian's Chromium, headless, through Debian's chromedriver: the paths named, so Selenium never downloads either.</summary>
file static class HeadlessChromeDriver
{
    private const string Browser = "/usr/bin/chromium";
    private const string Driver = "/usr/bin/chromedriver";

    public static ChromeDriver Start()
    {
        foreach ((string path, string package) in new[] { (Browser, "chromium"), (Driver, "chromium-driver") })
        {
            if (!File.Exists(path))
            {
                Assert.Fail($"{path} is missing: the browser tests need Debian's {package} package. .ci/run installs it "
                    + "(apt-get install chromium chromium-driver); run .ci/run, or install it, to run them.");
            }
        }
        ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        // The flags the machine notes give for headless Chromium on a closed network; chromedriver makes a new profile.
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage");
        try
        {
            return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }
}
