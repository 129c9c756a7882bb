// "Hello, World!" over HTTPS at https://localhost:8443/hello.
//   dotnet run --project samples/HttpsHello -- --cert cert.pem --key key.pem [--port 8443]
//   dotnet run --project samples/HttpsHello                 (makes a development certificate and says how to trust it)
// Ctrl+C stops it gracefully.
using System;
using System.IO;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using TinyHttp;

int port = 8443;
string? certPath = null;
string? keyPath = null;
for (int i = 0; i < args.Length; i++)
{
    string? value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--port" when int.TryParse(value, out int parsed) && parsed is >= 0 and <= 65535:
            port = parsed;
            i++;
            break;
        case "--cert" when value is not null:
            certPath = value;
            i++;
            break;
        case "--key" when value is not null:
            keyPath = value;
            i++;
            break;
        default:
            Console.Error.WriteLine("usage: HttpsHello [--cert cert.pem --key key.pem] [--port N]   (default 8443; no --cert: a development certificate)");
            return 2;
    }
}
if ((certPath is null) != (keyPath is null))
{
    Console.Error.WriteLine("Give both --cert and --key (PEM files), or neither for a development certificate.");
    return 2;
}

X509Certificate2 certificate;
try
{
    certificate = certPath is not null ? X509Certificate2.CreateFromPemFile(certPath, keyPath) : CreateDevelopmentCertificate();
}
catch (Exception ex) when (ex is CryptographicException or IOException)
{
    Console.Error.WriteLine($"Could not load the certificate: {ex.Message}");
    return 1;
}

var https = new HttpsOptions { ServerCertificate = certificate };
var options = new TinyHttpServerOptions().ListenLocalhost(port, https);
await using var server = new TinyHttpServer(options, (request, response) =>
{
    if (request.Path == "/hello")
    {
        response.SetBody($"Hello, World! (over {request.Tls?.Protocol})");
        return;
    }
    response.StatusCode = 404;
    response.SetBody("Not Found\n");
});

try
{
    server.Start();
}
catch (IOException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

Console.WriteLine($"Listening on https://localhost:{server.Port}/hello — press Ctrl+C to stop.");
if (certPath is null)
{
    string pem = Path.Combine(Path.GetTempPath(), "tinyhttp-dev-cert.pem");
    File.WriteAllText(pem, certificate.ExportCertificatePem());
    Console.WriteLine($"This run made a development certificate for localhost, 127.0.0.1 and ::1 (valid 30 days), saved as {pem}.");
    Console.WriteLine("Trust it for one client:");
    Console.WriteLine($"  curl --cacert {pem} https://localhost:{server.Port}/hello");
    Console.WriteLine("Or for this machine (Debian/Ubuntu; the certificate changes every run):");
    Console.WriteLine($"  sudo cp {pem} /usr/local/share/ca-certificates/tinyhttp-dev.crt && sudo update-ca-certificates");
}

// Ctrl+C (SIGINT) and SIGTERM both mean "stop gracefully".
using var stop = new CancellationTokenSource();
void RequestStop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestStop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestStop);
try
{
    await System.Threading.Tasks.Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

Console.WriteLine("Stopping…");
using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
{
    await server.StopAsync(drain.Token);
}
Console.WriteLine("Stopped.");
return 0;

// A self-signed certificate made in memory: nothing is installed and no file is needed to serve.
static X509Certificate2 CreateDevelopmentCertificate()
{
    using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
    var names = new SubjectAlternativeNameBuilder();
    names.AddDnsName("localhost");
    names.AddIpAddress(IPAddress.Loopback);
    names.AddIpAddress(IPAddress.IPv6Loopback);
    request.CertificateExtensions.Add(names.Build());
    request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
    request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
    return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
}
