#!/usr/bin/env bash
# A worker service consumes the packed TinyHttp.Hosting package from $CI_PACKAGES, as its README tells users, with an
# empty package cache and only two sources (that folder for TinyHttp*, the machine's registry for the rest), so an
# earlier restore or a project reference cannot stand in for the package. It checks the package's README and its
# dependencies on the lowest 10.x abstractions, then starts a host, asks /healthz and a handler, and stops it.
set -euo pipefail
consumer=$(mktemp -d)
trap 'rm -rf "$consumer"' EXIT
package="$CI_PACKAGES/TinyHttp.Hosting.$CI_VERSION.nupkg"
[ -f "$package" ] || { echo "no $package: was src/TinyHttp.Hosting packed?"; exit 1; }

unzip -l "$package" | grep -q ' README.md$' || { echo "the package has no README.md"; exit 1; }
nuspec=$(unzip -p "$package" TinyHttp.Hosting.nuspec)
grep -q '<readme>README.md</readme>' <<<"$nuspec" || { echo "the nuspec does not name its README"; exit 1; }
for dependency in Microsoft.Extensions.Hosting.Abstractions Microsoft.Extensions.Options Microsoft.Extensions.Configuration.Binder Microsoft.Extensions.Diagnostics.HealthChecks; do
  grep -q "id=\"$dependency\" version=\"10.0.0\"" <<<"$nuspec" || { echo "the package does not depend on $dependency 10.0.0:"; grep '<dependency ' <<<"$nuspec"; exit 1; }
done

# The registry this machine restores from (the repository's nuget.config adds only its local folder).
mapfile -t registries < <(cd "$CI_ROOT" && dotnet nuget list source --format short | awk '$1 == "E" && $2 ~ /^https?:/ { print $2 }')
[ "${#registries[@]}" -gt 0 ] || { echo "no enabled package registry is configured on this machine"; exit 1; }
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"ci-packages\" value=\"$CI_PACKAGES\" />"
  for i in "${!registries[@]}"; do echo "    <add key=\"registry-$i\" value=\"${registries[$i]}\" />"; done
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="ci-packages"><package pattern="TinyHttp" /><package pattern="TinyHttp.*" /></packageSource>'
  for i in "${!registries[@]}"; do echo "    <packageSource key=\"registry-$i\"><package pattern=\"*\" /></packageSource>"; done
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} > "$consumer/nuget.config"
export NUGET_PACKAGES="$consumer/package-cache"

cat > "$consumer/Consumer.csproj" <<CSPROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="TinyHttp.Hosting" Version="$CI_VERSION" />
    <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
  </ItemGroup>
</Project>
CSPROJ
cat > "$consumer/Program.cs" <<'CS'
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TinyHttp;
using TinyHttp.Hosting;

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddInMemoryCollection([new("TinyHttp:Endpoints:0", "http://127.0.0.1:0")]);
builder.Services.AddHealthChecks();
builder.AddTinyHttpServer()
    .UseHandler((request, response, _) =>
    {
        response.SetBody("Hello from the package");
        return Task.CompletedTask;
    })
    .MapHealthChecks();
using IHost host = builder.Build();
await host.StartAsync();
using var client = new HttpClient { BaseAddress = host.Services.GetRequiredService<TinyHttpServer>().BaseAddress };
string hello = await client.GetStringAsync("/hello");
string health = await client.GetStringAsync("/healthz");
await host.StopAsync();
Console.WriteLine($"{hello} | {health}");
return hello == "Hello from the package" && health.StartsWith("{\"status\":\"Healthy\"", StringComparison.Ordinal) ? 0 : 1;
CS
cd "$consumer"
dotnet run -c Release
[ -d "$NUGET_PACKAGES/tinyhttp.hosting/$CI_VERSION" ] || { echo "TinyHttp.Hosting $CI_VERSION did not come from $CI_PACKAGES"; exit 1; }
