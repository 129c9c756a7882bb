#!/usr/bin/env bash
# TinyHttp.Testing in every test framework it documents: for each one a throwaway test project, outside the
# repository, restores the packed packages (TinyHttp.Testing and, where the framework needs one, its adapter) from the
# local folder with an empty package cache, and runs a fixture-based test and a by-hand test. Each must pass, and
# the projects that need no xunit must not get xunit.core.dll in their output.
#
# The matrix: xunit v2 (adapter TinyHttp.Testing.Xunit), xunit v3 (TinyHttp.Testing.XunitV3), TUnit
# (TinyHttp.Testing.TUnit), NUnit and MSTest (no adapter: their own async setup hooks start the stub).
set -euo pipefail
source "$(dirname "$0")/lib/clean-consumer.sh"
work=$(mktemp -d)
consumer_init "$work"
trap 'rm -rf "$work" "$NUGET_PACKAGES"' EXIT

# project NAME PACKAGES... : a test project in $work/NAME (named Consumer.NAME, so it is no package's namesake) with the
# given "Id@Version" package references.
project() {
  local name=$1
  shift
  mkdir -p "$work/$name"
  {
    echo '<Project Sdk="Microsoft.NET.Sdk">'
    echo '  <PropertyGroup>'
    echo '    <TargetFramework>net10.0</TargetFramework>'
    echo '    <ImplicitUsings>enable</ImplicitUsings>'
    echo '    <Nullable>enable</Nullable>'
    echo '    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>'
    echo '    <IsTestProject>true</IsTestProject>'
    [ "$name" = XunitV3 ] || [ "$name" = TUnit ] && echo '    <OutputType>Exe</OutputType>'
    echo '  </PropertyGroup>'
    echo '  <ItemGroup>'
    for package in "$@"; do
      echo "    <PackageReference Include=\"${package%@*}\" Version=\"${package#*@}\" />"
    done
    echo '  </ItemGroup>'
    echo '</Project>'
  } >"$work/$name/Consumer.$name.csproj"
}

testing="TinyHttp.Testing@$CI_VERSION"

project XunitV2 "$testing" "TinyHttp.Testing.Xunit@$CI_VERSION" Microsoft.NET.Test.Sdk@18.0.1 xunit@2.9.3 xunit.runner.visualstudio@3.1.5
project XunitV3 "$testing" "TinyHttp.Testing.XunitV3@$CI_VERSION" xunit.v3@4.0.2
project TUnit "$testing" "TinyHttp.Testing.TUnit@$CI_VERSION" TUnit@1.81.10
project NUnit "$testing" Microsoft.NET.Test.Sdk@18.0.1 NUnit@5.0.0 NUnit3TestAdapter@6.3.1
project MSTest "$testing" MSTest@4.5.2

# xunit v2 and v3 take the same test source: the adapters give both the same names.
for name in XunitV2 XunitV3; do
  cat >"$work/$name/Tests.cs" <<'CS'
using TinyHttp.Testing;
using Xunit;

public sealed class HelloServer() : ServerFixture((request, response) => response.SetBody("hello " + request.Path));

public sealed class FixtureTests(StubServerFixture orders, HelloServer hello) : IClassFixture<StubServerFixture>, IClassFixture<HelloServer>
{
    [Fact]
    public async Task The_framework_starts_the_stub_and_the_server()
    {
        orders.Reset();
        orders.AddRoute("GET", "/orders/{id}").Respond(StubResponse.Json("""{"id":7}"""));

        Assert.Equal("""{"id":7}""", await orders.CreateClient().GetStringAsync("/orders/7"));
        Assert.Equal("hello /you", await hello.CreateClient().GetStringAsync("/you"));
        orders.AssertReceived("GET", "/orders/7");
    }
}

public sealed class ByHandTests
{
    [Fact]
    public async Task A_stub_started_by_hand_answers_and_records()
    {
        await using StubServer orders = await StubServer.StartAsync();
        orders.AddRoute("GET", "/orders/{id}").Respond(StubResponse.Text("shipped"));

        Assert.Equal("shipped", await orders.CreateClient().GetStringAsync("/orders/7"));
        orders.AssertReceived("GET", "/orders/{id}");
        orders.AssertNoUnmatchedRequests();
    }
}
CS
done
# xunit v3's analyzers (xUnit1051) want the test's token passed on, as a v3 user's project would.
sed -i 's|GetStringAsync(\("[^"]*"\))|GetStringAsync(\1, TestContext.Current.CancellationToken)|; s|StubServer.StartAsync()|StubServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken)|' "$work/XunitV3/Tests.cs"

cat >"$work/TUnit/Tests.cs" <<'CS'
using TinyHttp.Testing;

public sealed class HelloServer() : ServerFixture((request, response) => response.SetBody("hello " + request.Path));

[ClassDataSource<StubServerFixture, HelloServer>(Shared = [SharedType.PerClass, SharedType.PerClass])]
public sealed class FixtureTests(StubServerFixture orders, HelloServer hello)
{
    [Test]
    public async Task The_framework_starts_the_stub_and_the_server()
    {
        orders.Reset();
        orders.AddRoute("GET", "/orders/{id}").Respond(StubResponse.Json("""{"id":7}"""));

        await Assert.That(await orders.CreateClient().GetStringAsync("/orders/7")).IsEqualTo("""{"id":7}""");
        await Assert.That(await hello.CreateClient().GetStringAsync("/you")).IsEqualTo("hello /you");
        orders.AssertReceived("GET", "/orders/7");
    }
}

public sealed class ByHandTests
{
    [Test]
    public async Task A_stub_started_by_hand_answers_and_records()
    {
        await using StubServer orders = await StubServer.StartAsync();
        orders.AddRoute("GET", "/orders/{id}").Respond(StubResponse.Text("shipped"));

        await Assert.That(await orders.CreateClient().GetStringAsync("/orders/7")).IsEqualTo("shipped");
        orders.AssertReceived("GET", "/orders/{id}");
        orders.AssertNoUnmatchedRequests();
    }
}
CS

cat >"$work/NUnit/Tests.cs" <<'CS'
using NUnit.Framework;
using TinyHttp.Testing;

// NUnit's own fixture: [OneTimeSetUp] starts the stub for the class, [OneTimeTearDown] stops it. No adapter needed.
public sealed class FixtureTests
{
    private StubServer _orders = null!;

    [OneTimeSetUp]
    public async Task StartStub() => _orders = await StubServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopStub() => await _orders.DisposeAsync();

    [SetUp]
    public void ResetStub() => _orders.Reset();

    [Test]
    public async Task The_fixture_stub_answers()
    {
        _orders.AddRoute("GET", "/orders/{id}").Respond(StubResponse.Json("""{"id":7}"""));

        Assert.That(await _orders.CreateClient().GetStringAsync("/orders/7"), Is.EqualTo("""{"id":7}"""));
        _orders.AssertReceived("GET", "/orders/7");
    }
}

public sealed class ByHandTests
{
    [Test]
    public async Task A_server_started_by_hand_answers()
    {
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync((request, response) => response.SetBody("hello " + request.Path));

        Assert.That(await server.CreateClient().GetStringAsync("/you"), Is.EqualTo("hello /you"));
    }
}
CS

cat >"$work/MSTest/Tests.cs" <<'CS'
using Microsoft.VisualStudio.TestTools.UnitTesting;
using TinyHttp.Testing;

[assembly: Parallelize(Scope = ExecutionScope.ClassLevel)]

// MSTest's own fixture: [ClassInitialize] starts the stub for the class, [ClassCleanup] stops it. No adapter needed.
[TestClass]
public sealed class FixtureTests
{
    private static StubServer s_orders = null!;

    [ClassInitialize]
    public static async Task StartStub(TestContext context) => s_orders = await StubServer.StartAsync(cancellationToken: context.CancellationToken);

    [ClassCleanup]
    public static async Task StopStub() => await s_orders.DisposeAsync();

    [TestInitialize]
    public void ResetStub() => s_orders.Reset();

    [TestMethod]
    public async Task The_fixture_stub_answers()
    {
        s_orders.AddRoute("GET", "/orders/{id}").Respond(StubResponse.Json("""{"id":7}"""));

        Assert.AreEqual("""{"id":7}""", await s_orders.CreateClient().GetStringAsync("/orders/7"));
        s_orders.AssertReceived("GET", "/orders/7");
    }
}

[TestClass]
public sealed class ByHandTests
{
    [TestMethod]
    public async Task A_server_started_by_hand_answers()
    {
        await using TinyHttpServerFixture server = await TinyHttpServerFixture.StartAsync((request, response) => response.SetBody("hello " + request.Path));

        Assert.AreEqual("hello /you", await server.CreateClient().GetStringAsync("/you"));
    }
}
CS

failed=()
for name in XunitV2 XunitV3 TUnit NUnit MSTest; do
  echo "== $name"
  log="$work/$name.log"
  # xunit v3 and TUnit projects are executables on Microsoft.Testing.Platform; the others run under dotnet test.
  if [ "$name" = XunitV3 ] || [ "$name" = TUnit ]; then
    run=(dotnet run --project "$work/$name")
  else
    run=(dotnet test "$work/$name")
  fi
  if "${run[@]}" >"$log" 2>&1; then
    tail -n 4 "$log"
    # Both tests ran: each runner's summary line, with its count.
    if ! grep -Eq 'Passed: +2, Skipped: +0, Total: +2|Total: 2, Errors: 0, Failed: 0|succeeded: 2' "$log"; then
      echo "$name: the run passed but did not report 2 passed tests"
      failed+=("$name")
      continue
    fi
  else
    tail -n 40 "$log"
    failed+=("$name")
    continue
  fi
  if [ "$name" = NUnit ] || [ "$name" = MSTest ] || [ "$name" = TUnit ]; then
    if find "$work/$name/bin" -name 'xunit*.dll' | grep -q .; then
      echo "$name: an xunit assembly was copied into the output: $(find "$work/$name/bin" -name 'xunit*.dll')"
      failed+=("$name")
    fi
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
echo "every framework passed: XunitV2 XunitV3 TUnit NUnit MSTest"
