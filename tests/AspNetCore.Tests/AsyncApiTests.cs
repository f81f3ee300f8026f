using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Server.Contract;
using Xunit;

namespace Switchboard.AspNetCore.Tests;

public sealed class AsyncApiTests
{
    [Fact]
    public async Task MapSwitchboardAsyncApi_serves_the_document_as_json_for_get_and_head()
    {
        var endpoint = TestApp.Echo();
        var document = new AsyncApiDocument("Echo", "1.0.0").AddChannel("/ws/{room}", endpoint.Catalog);
        await using var app = await TestApp.StartAsync(b => b.Services.AddSwitchboard(), a =>
        {
            a.MapSwitchboard("/ws/{room}", endpoint);
            a.MapSwitchboardAsyncApi("/asyncapi.json", document);
        });
        using var http = new HttpClient();

        using var get = await http.GetAsync(app.Http("/asyncapi.json"));
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, app.Http("/asyncapi.json")));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("application/json", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(document.ToJson(), await get.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }
}
