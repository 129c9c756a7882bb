using System;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using TinyHttp.Testing;
using Xunit;

namespace TinyHttp.Tests.Testing;

// Scenarios: a named state that stub routes require and move, for flows a response sequence cannot express.
public sealed class StubScenarioTests
{
    [Fact]
    public async Task The_first_POST_creates_the_order_and_later_GETs_see_it()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/orders/7").InScenario("order").WhenStateIs(StubServer.ScenarioStarted).Respond(StubResponse.Status(404));
        stub.AddRoute("POST", "/orders").InScenario("order").WhenStateIs(StubServer.ScenarioStarted).WillSetStateTo("created")
            .Respond(StubResponse.Json("""{"id":7}""", statusCode: 201));
        stub.AddRoute("POST", "/orders").InScenario("order").WhenStateIs("created").Respond(StubResponse.Status(409));
        stub.AddRoute("GET", "/orders/7").InScenario("order").WhenStateIs("created").Respond(StubResponse.Json("""{"id":7,"status":"open"}"""));
        HttpClient client = stub.CreateClient();

        using HttpResponseMessage before = await client.GetAsync("/orders/7");
        using HttpResponseMessage created = await client.PostAsync("/orders", new StringContent("{}"));
        using HttpResponseMessage again = await client.PostAsync("/orders", new StringContent("{}"));
        string after = await client.GetStringAsync("/orders/7");

        Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("""{"id":7,"status":"open"}""", after);
        Assert.Equal("created", stub.GetScenarioState("order"));
        Assert.Equal("POST /orders [scenario order is Started → created]", stub.ReceivedRequests[1].MatchedRoute);
        stub.AssertNoUnmatchedRequests();
    }

    [Fact]
    public async Task A_request_no_route_answers_in_this_state_lists_the_state_among_the_reasons()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("DELETE", "/orders/7").InScenario("order").WhenStateIs("created").WillSetStateTo("deleted");

        using HttpResponseMessage response = await stub.CreateClient().DeleteAsync("/orders/7");
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("  DELETE /orders/7 [scenario order is created → deleted] — scenario order is Started, the route wants created\n", body, StringComparison.Ordinal);
        Assert.Equal(StubServer.ScenarioStarted, stub.GetScenarioState("order"));
    }

    [Fact]
    public async Task Scenarios_are_independent_and_a_test_can_start_part_way_and_reset()
    {
        await using StubServer stub = await StubServer.StartAsync();
        stub.AddRoute("GET", "/a").InScenario("a").WhenStateIs("ready").WillSetStateTo("done").Respond(StubResponse.Text("a"));
        stub.AddRoute("GET", "/b").InScenario("b").WillSetStateTo("seen").Respond(StubResponse.Text("b"));
        HttpClient client = stub.CreateClient();
        stub.SetScenarioState("a", "ready");

        Assert.Equal("a", await client.GetStringAsync("/a"));
        Assert.Equal("b", await client.GetStringAsync("/b"));
        Assert.Equal(("done", "seen"), (stub.GetScenarioState("a"), stub.GetScenarioState("b")));

        stub.Reset();

        Assert.Equal(StubServer.ScenarioStarted, stub.GetScenarioState("a"));
    }

    [Fact]
    public async Task Scenario_calls_out_of_place_say_what_to_do()
    {
        await using StubServer stub = await StubServer.StartAsync();
        StubRoute route = stub.AddRoute("GET", "/x");

        InvalidOperationException noScenario = Assert.Throws<InvalidOperationException>(() => route.WhenStateIs("ready"));
        InvalidOperationException inFilter = Assert.Throws<InvalidOperationException>(() => stub.AssertReceived("GET", "/x", r => r.InScenario("s"), times: 0));

        Assert.Contains("call InScenario(\"name\") on the route first", noScenario.Message, StringComparison.Ordinal);
        Assert.Contains("not to an assertion's filter", inFilter.Message, StringComparison.Ordinal);
    }
}
