using System.Net;
using System.Runtime.CompilerServices;
using Xunit;

namespace Switchboard.Server.Tests.Http;

/// <summary>MapClientScript: the switchboard-client package's script (clients/js), embedded, served with an ETag.</summary>
public sealed class ClientScriptTests
{
    private static byte[] PackageScript([CallerFilePath] string here = "") =>
        File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "clients", "js", "switchboard.js"));

    private static HttpClient Client(TestServer server) => new()
    {
        BaseAddress = new Uri($"http://127.0.0.1:{server.Server.LocalEndPoint.Port}"),
        Timeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Serves_the_package_script_with_an_ETag_and_the_given_fields_and_answers_304_when_it_matches()
    {
        await using var server = new TestServer(null, s => s.MapClientScript("/switchboard.js", [new("Content-Security-Policy", "default-src 'self'")]));
        using var client = Client(server);

        using var response = await client.GetAsync(new Uri("/switchboard.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.True(response.Headers.CacheControl!.NoCache);
        Assert.Equal("default-src 'self'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal(PackageScript(), await response.Content.ReadAsByteArrayAsync());

        foreach (var tag in new[] { etag.Tag, $"W/{etag.Tag}", $"\"other\", {etag.Tag}", "*" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/switchboard.js", UriKind.Relative));
            request.Headers.TryAddWithoutValidation("If-None-Match", tag);
            using var again = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(etag, again.Headers.ETag);
            Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        }

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("/switchboard.js", UriKind.Relative)));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(PackageScript().Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_field_the_server_writes_itself_or_a_null_path_is_refused_naming_it()
    {
        await using var server = new WebSocketServer(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });
        Assert.Throws<ArgumentNullException>("path", () => server.MapClientScript(null!));
        var error = Assert.Throws<ArgumentException>(() => server.MapClientScript("/switchboard.js", [new("Content-Length", "1")]));
        Assert.Contains("Content-Length", error.Message, StringComparison.Ordinal);
    }
}
