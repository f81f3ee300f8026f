using System.Net;
using System.Text;
using Xunit;

namespace Switchboard.Server.Tests;

/// <summary>
/// A directory served with <see cref="WebSocketServer.MapStaticFiles"/>: content types by extension, index.html, and
/// no way out of the directory however the path is spelled.
/// </summary>
public sealed class StaticFilesTests : IAsyncLifetime
{
    private const string Secret = "TOP-SECRET-OUTSIDE-THE-ROOT";

    private readonly DirectoryInfo _base = Directory.CreateTempSubdirectory("switchboard-static-");

    private string Root => Path.Combine(_base.FullName, "www");

    public static TheoryData<string, string> Files => new()
    {
        { "/index.html", "text/html; charset=utf-8" },
        { "/app.js", "text/javascript; charset=utf-8" },
        { "/lib/client.mjs", "text/javascript; charset=utf-8" },
        { "/site.css", "text/css; charset=utf-8" },
        { "/logo.svg", "image/svg+xml" },
        { "/logo.png", "image/png" },
        { "/favicon.ico", "image/x-icon" },
        { "/data.json", "application/json" },
        { "/notes.txt", "text/plain; charset=utf-8" },
        { "/caf%C3%A9.txt", "text/plain; charset=utf-8" },
        { "/with%20space.txt", "text/plain; charset=utf-8" },
    };

    /// <summary>Traversal in every disguise; none may serve a byte from outside the root.</summary>
    public static TheoryData<string> Escapes => new()
    {
        "/../secret.txt",
        "/static/../../secret.txt",
        "/static/%2e%2e/%2e%2e/secret.txt",
        "/static/%2E%2E/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/..%2Fsecret.txt",
        "/static/%2e%2e%2fsecret.txt",
        "/static/..%5csecret.txt",
        "/static/..\\secret.txt",
        "/static/lib/..%2f..%2fsecret.txt",
        "/static/%252e%252e/secret.txt",
        "/static//secret.txt",
        "/static/.%2e/secret.txt",
        "/static/lib/../index.html",
        "/static/./index.html",
        "/static/%2fetc%2fpasswd",
        "/static//etc/passwd",
        "/static/link-out.txt",
        "/static/dir-out/secret.txt",
        "/static/.hidden.txt",
        "/static/%2ehidden.txt",
        "/static/secret.txt%00.html",
        "/static/%c0%ae%c0%ae/secret.txt",
        "/static/%zz.txt",
        "/static/index.html.",
        "/static/lib",
        "/static/unknown.bin",
        "/static/C:%5Cwindows%5Cwin.ini",
    };

    public Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_base.FullName, "secret.txt"), Secret);
        Directory.CreateDirectory(Path.Combine(Root, "lib"));
        foreach (var (path, _) in Files.Select(row => ((string)row[0], (string)row[1])))
        {
            var name = Uri.UnescapeDataString(path.TrimStart('/'));
            File.WriteAllText(Path.Combine(Root, name), $"content of {name}");
        }

        File.WriteAllText(Path.Combine(Root, ".hidden.txt"), Secret);
        File.WriteAllText(Path.Combine(Root, "unknown.bin"), "binary");
        File.CreateSymbolicLink(Path.Combine(Root, "link-out.txt"), Path.Combine(_base.FullName, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(Root, "link-in.txt"), Path.Combine(Root, "notes.txt"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "dir-out"), _base.FullName);

        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _base.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private TestServer StartServer() => new(null, server => server.MapStaticFiles("/static/", Root).MapStaticFiles("/", Root));

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Each_known_type_is_served_with_its_media_type_and_bytes(string path, string contentType)
    {
        await using var server = StartServer();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{server.Server.LocalEndPoint.Port}/static{path}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.ToString());
        var name = Uri.UnescapeDataString(path.TrimStart('/'));
        Assert.Equal(Encoding.UTF8.GetBytes($"content of {name}"), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Directory_path_serves_its_index_html()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/");
        var root = await raw.ReadResponseAsync();
        await raw.SendGetAsync("/static/");
        var prefixed = await raw.ReadResponseAsync();

        Assert.Equal(200, root.Status);
        Assert.Equal("text/html; charset=utf-8", root["Content-Type"]);
        Assert.Equal("content of index.html", root.Text);
        Assert.Equal("content of index.html", prefixed.Text);
    }

    [Fact]
    public async Task Link_that_stays_inside_the_root_is_followed()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/static/link-in.txt");
        var response = await raw.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.Equal("content of notes.txt", response.Text);
    }

    [Fact]
    public async Task Head_of_a_file_has_its_length_and_no_body()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendAsync("HEAD /static/data.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        var response = await raw.ReadResponseAsync(toHead: true);
        await raw.SendGetAsync("/static/notes.txt");

        Assert.Equal("content of data.json".Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response["Content-Length"]);
        Assert.Equal("content of notes.txt", (await raw.ReadResponseAsync()).Text);
    }

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task Escape_attempt_gets_404_or_400_and_never_the_file(string target)
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync(target);
        var response = await raw.ReadResponseAsync();

        Assert.True(response.Status is 404 or 400, $"{target} answered {response.Status}: {response.Text}");
        Assert.DoesNotContain(Secret, response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_percent_encoding_is_400_and_the_connection_lives_on()
    {
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/static/%zz.txt");
        var bad = await raw.ReadResponseAsync();
        await raw.SendGetAsync("/static/notes.txt");

        Assert.Equal(400, bad.Status);
        Assert.Equal(200, (await raw.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task File_written_after_start_is_served()
    {
        File.WriteAllText(Path.Combine(Root, "late.json"), "{\"late\":true}");
        await using var server = StartServer();
        using var raw = await RawClient.ConnectAsync(server);

        await raw.SendGetAsync("/static/late.json");

        Assert.Equal("{\"late\":true}", (await raw.ReadResponseAsync()).Text);
    }

    [Fact]
    public async Task Headers_given_with_the_directory_go_on_every_response_of_its_paths_and_no_other()
    {
        var headers = new Dictionary<string, string>
        {
            ["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'",
            ["Referrer-Policy"] = "no-referrer",
            ["Cache-Control"] = "no-store",
        };
        await using var server = new TestServer(null, s => s.MapStaticFiles("/site", Root, headers).MapStaticFiles("/plain/", Root));
        using var raw = await RawClient.ConnectAsync(server);

        foreach (var (target, status) in new[] { ("/site/index.html", 200), ("/site/", 200), ("/site/missing.txt", 404), ("/site/%zz.txt", 400) })
        {
            await raw.SendGetAsync(target);
            var response = await raw.ReadResponseAsync();
            Assert.Equal(status, response.Status);
            Assert.Equal("default-src 'self'; frame-ancestors 'none'", response["Content-Security-Policy"]);
            Assert.Equal("no-referrer", response["Referrer-Policy"]);
            Assert.Equal("nosniff", response["X-Content-Type-Options"]);
            // One of the server's own fields is replaced, not repeated.
            Assert.Single(response.Head.Split("\r\n"), line => line.StartsWith("Cache-Control:", StringComparison.OrdinalIgnoreCase));
            Assert.Equal("no-store", response["Cache-Control"]);
        }

        await raw.SendGetAsync("/plain/index.html");
        var plain = await raw.ReadResponseAsync();
        Assert.Equal("content of index.html", plain.Text);
        Assert.Null(plain["Content-Security-Policy"]);
        Assert.Null(plain["Referrer-Policy"]);
        Assert.Equal("no-cache", plain["Cache-Control"]);
    }

    [Fact]
    public async Task Headers_that_are_not_valid_fields_are_refused_when_mapped()
    {
        await using var server = new WebSocketServer(new WebSocketServerOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) });

        Assert.Throws<ArgumentException>(() => server.MapStaticFiles("/", Root, [new("Bad Name", "x")]));
        Assert.Throws<ArgumentException>(() => server.MapStaticFiles("/", Root, [new("X-Split", "a\r\nInjected: yes")]));
        Assert.Throws<ArgumentException>(() => server.MapStaticFiles("/", Root, [new("Content-Length", "0")]));
        Assert.Throws<ArgumentNullException>(() => server.MapStaticFiles("/", Root, null!));
    }

    [Fact]
    public async Task Large_file_is_streamed_whole()
    {
        var bytes = new byte[3 * 1024 * 1024 + 7];
        new Random(42).NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(Root, "big.png"), bytes);
        await using var server = StartServer();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        var body = await client.GetByteArrayAsync(new Uri($"http://127.0.0.1:{server.Server.LocalEndPoint.Port}/static/big.png"));

        Assert.Equal(bytes, body);
    }
}
