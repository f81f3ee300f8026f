using Switchboard.Server.Contract;
using Switchboard.Testing;

namespace Switchboard.Contract.Tests;

public sealed class AsyncApiDocumentTests
{
    private static AsyncApiDocument EveryShape() => new AsyncApiDocument("Shapes", "2.1.0")
        .AddChannel("/ws/{room}", SwitchboardMessages.Catalog)
        .AddChannel("/files/{*path}", MessageCatalog.Empty);

    [Fact]
    public void Document_of_every_shape() => Snapshot.Verify(EveryShape().ToJson());

    /// <summary>
    /// chat.send handled, shapes.empty handled and declared sent, shapes.lookup handled: chat.message and shapes.all are
    /// sent; shapes.found, a response, is only a reply.
    /// </summary>
    private static AsyncApiDocument OfAnEndpoint(Switchboard.Server.MessageEndpoint endpoint) => new AsyncApiDocument("Shapes", "2.1.0")
        .AddChannel("/ws/{room}", endpoint
            .On<SendChat>((_, _) => ValueTask.CompletedTask)
            .On<Ping>((_, _) => ValueTask.CompletedTask)
            .Sends<Ping>()
            .OnRequest<Lookup, Found>((_, request) => ValueTask.FromResult(new Found(request.Key))));

    [Fact]
    public async Task Document_of_an_endpoint()
    {
        await using var endpoint = new Switchboard.Server.MessageEndpoint(SwitchboardMessages.Catalog);
        Snapshot.Verify(OfAnEndpoint(endpoint).ToJson());
    }

    [Fact]
    public async Task The_document_of_an_endpoint_parses_with_no_error()
    {
        await using var endpoint = new Switchboard.Server.MessageEndpoint(SwitchboardMessages.Catalog);
        var (exitCode, output) = await ValidateAsync(OfAnEndpoint(endpoint).ToJson());

        Assert.True(exitCode == 0, output);
        Assert.Contains("errors: 0, document: parsed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_without_handlers_receives_nothing_and_answers_no_request()
    {
        await using var endpoint = new Switchboard.Server.MessageEndpoint(SwitchboardMessages.Catalog);
        using var json = System.Text.Json.JsonDocument.Parse(new AsyncApiDocument("Shapes", "1.0.0").AddChannel("/ws", endpoint).ToJson());
        var operations = json.RootElement.GetProperty("operations");

        Assert.Equal(["ws.receive", "ws.send"], operations.EnumerateObject().Select(o => o.Name));
        Assert.Empty(MessagesOf(operations, "ws.receive"));
        Assert.Equal(["chat.message", "chat.send", "shapes.all", "shapes.empty"], MessagesOf(operations, "ws.send"));
    }

    [Fact]
    public async Task Sends_refuses_a_request_and_an_error_by_name()
    {
        await using var endpoint = new Switchboard.Server.MessageEndpoint(SwitchboardMessages.Catalog);

        var request = Assert.Throws<InvalidOperationException>(() => endpoint.Sends<Lookup>());
        var error = Assert.Throws<InvalidOperationException>(() => endpoint.Sends<LookupRefused>());

        Assert.Contains("'shapes.lookup' is a request", request.Message, StringComparison.Ordinal);
        Assert.Contains("'shapes.refused' is a request's error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_document_of_every_shape_parses_with_no_error()
    {
        var (exitCode, output) = await ValidateAsync(EveryShape().ToJson());

        Assert.True(exitCode == 0, output);
        Assert.Contains("errors: 0, document: parsed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chat_sample_serves_a_document_the_parser_accepts()
    {
        await using var chat = await SampleProcess.StartAsync("Chat");
        using var http = new HttpClient();

        using var response = await http.GetAsync(chat.HttpUri("/asyncapi.json"));
        var json = await response.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"address\": \"/ws/{username}\"", json, StringComparison.Ordinal);
        Assert.Contains("\"chat.send\"", json, StringComparison.Ordinal);
        // The same channels and messages as the document the build writes from the catalogue; the operations follow the
        // room's handlers, which only the running server knows.
        using var served = System.Text.Json.JsonDocument.Parse(json);
        using var built = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(BuildStepTests.Directory, "Chat.asyncapi.json")));
        foreach (var section in new[] { "channels", "components" })
        {
            Assert.True(
                System.Text.Json.JsonElement.DeepEquals(built.RootElement.GetProperty(section), served.RootElement.GetProperty(section)),
                $"{section} differ from the built document's");
        }

        var operations = served.RootElement.GetProperty("operations");
        Assert.Equal(["ws-username.receive", "ws-username.send", "ws-username.chat.history"], operations.EnumerateObject().Select(o => o.Name));
        Assert.Equal(["chat.direct", "chat.send"], MessagesOf(operations, "ws-username.receive"));
        Assert.Equal(
            ["chat.announcement", "chat.direct", "chat.error", "chat.joined", "chat.left", "chat.message", "chat.roster"],
            MessagesOf(operations, "ws-username.send"));
        var (exitCode, output) = await ValidateAsync(json);
        Assert.True(exitCode == 0, output);
        Assert.Contains("errors: 0, document: parsed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapAsyncApi_refuses_an_endpoint_that_is_not_mapped()
    {
        await using var server = new Switchboard.Server.WebSocketServer(new Switchboard.Server.WebSocketServerOptions
        {
            EndPoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0),
        });
        await using var mapped = new Switchboard.Server.MessageEndpoint(SwitchboardMessages.Catalog) { Name = "mapped" };
        await using var stray = new Switchboard.Server.MessageEndpoint(SwitchboardMessages.Catalog) { Name = "stray" };
        server.Map("/ws/{room}", mapped);

        server.MapAsyncApi("/asyncapi.json", "Shapes", "1.0.0", mapped);
        var error = Assert.Throws<ArgumentException>(() => server.MapAsyncApi("/other.json", "Shapes", "1.0.0", mapped, stray));

        Assert.Contains("the endpoint 'stray' is not mapped on this server", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_channel_address_must_be_a_path_and_unique()
    {
        var document = new AsyncApiDocument("Shapes", "1.0.0").AddChannel("/ws", MessageCatalog.Empty);

        var relative = Assert.Throws<ArgumentException>(() => document.AddChannel("ws", MessageCatalog.Empty));
        var twice = Assert.Throws<ArgumentException>(() => document.AddChannel("/ws", MessageCatalog.Empty));

        Assert.Contains("'ws' must start with '/'", relative.Message, StringComparison.Ordinal);
        Assert.Contains("'/ws' is added twice", twice.Message, StringComparison.Ordinal);
    }

    /// <summary>The message ids an operation lists, in order.</summary>
    private static List<string> MessagesOf(System.Text.Json.JsonElement operations, string operation) =>
        [.. operations.GetProperty(operation).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("$ref").GetString()!.Split('/')[^1])];

    private static async Task<(int ExitCode, string Output)> ValidateAsync(string json)
    {
        var directory = NodeTools.ScratchDirectory();
        var file = Path.Combine(directory, "asyncapi.json");
        await File.WriteAllTextAsync(file, json);
        var script = Path.Combine(NodeTools.Directory, "validate-asyncapi.mjs");
        NodeTools.RequireInstalled(Path.Combine(NodeTools.Directory, "node_modules", "@asyncapi", "parser", "package.json"));
        return await NodeTools.NodeAsync(NodeTools.Directory, script, file);
    }
}
