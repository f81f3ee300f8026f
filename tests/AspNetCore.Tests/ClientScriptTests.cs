using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace Switchboard.AspNetCore.Tests;

/// <summary>MapSwitchboardClientScript serves the switchboard-client package's script (clients/js) with an ETag.</summary>
public sealed class ClientScriptTests
{
    private static string PackageScript([CallerFilePath] string here = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "clients", "js", "switchboard.js"));

    [Fact]
    public async Task Serves_the_package_script_as_JavaScript_with_an_ETag_and_answers_304_when_it_matches()
    {
        await using var app = await TestApp.StartAsync(_ => { }, a => a.MapSwitchboardClientScript("/switchboard.js"));
        using var http = new HttpClient();

        using var response = await http.GetAsync(app.Http("/switchboard.js"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal(PackageScript(), await response.Content.ReadAsStringAsync());

        foreach (var tag in new[] { etag.Tag, $"W/{etag.Tag}", $"\"other\", {etag.Tag}", "*" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, app.Http("/switchboard.js"));
            request.Headers.TryAddWithoutValidation("If-None-Match", tag);
            using var again = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(etag, again.Headers.ETag);
            Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        }

        using var stale = new HttpRequestMessage(HttpMethod.Get, app.Http("/switchboard.js"));
        stale.Headers.TryAddWithoutValidation("If-None-Match", "\"0123\"");
        using var changed = await http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(PackageScript(), await changed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HEAD_gets_the_length_without_the_body_and_other_methods_get_405()
    {
        await using var app = await TestApp.StartAsync(_ => { }, a => a.MapSwitchboardClientScript("/switchboard.js"));
        using var http = new HttpClient();

        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, app.Http("/switchboard.js")));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(PackageScript()), head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var post = await http.PostAsync(app.Http("/switchboard.js"), new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
