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
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(BuildStepTests.Directory, "Chat.asyncapi.json")), json + "\n");
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
