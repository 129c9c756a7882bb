#!/usr/bin/env bash
# A console app consumes the packed TinyHttp package from the local folder, as README "Packages" tells users:
# a nuget.config naming the folder, and an empty package cache, so nothing a previous restore left behind counts.
set -euo pipefail
source "$(dirname "$0")/lib/clean-consumer.sh"
consumer=$(mktemp -d)
consumer_init "$consumer"
trap 'rm -rf "$consumer" "$NUGET_PACKAGES"' EXIT
cd "$consumer"
dotnet new console -n Consumer -o .
dotnet add package TinyHttp --version "$CI_VERSION"
cat > Program.cs <<'CS'
using System.Net.Http;
using TinyHttp;

await using var server = new TinyHttpServer(new TinyHttpServerOptions(), (request, response) => response.SetBody("Hello from the package"));
server.Start();
using var client = new HttpClient();
string body = await client.GetStringAsync(new Uri(server.BaseAddress, "hello"));
Console.WriteLine(body);
return body == "Hello from the package" ? 0 : 1;
CS
dotnet run -c Release
