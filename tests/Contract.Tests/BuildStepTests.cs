using System.Reflection;

namespace Switchboard.Contract.Tests;

/// <summary>What the Chat sample's build wrote into samples/Chat/obj/contract (src/Contract/build/Switchboard.Contract.targets).</summary>
public sealed class BuildStepTests
{
    private static readonly string Directory = typeof(BuildStepTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ChatContract").Value!;

    [Fact]
    public void The_chat_build_writes_the_module_of_its_catalogue()
    {
        var written = File.ReadAllText(Path.Combine(Directory, "Chat.messages.ts"));

        Assert.Equal(TypeScriptModule.Write(Chat.SwitchboardMessages.Catalog, "Chat"), written);
    }

    [Fact]
    public void The_chat_build_writes_the_asyncapi_document_of_its_endpoint()
    {
        var written = File.ReadAllText(Path.Combine(Directory, "Chat.asyncapi.json"));

        using var json = System.Text.Json.JsonDocument.Parse(written);
        var version = json.RootElement.GetProperty("info").GetProperty("version").GetString()!;
        var expected = new Server.Contract.AsyncApiDocument("Switchboard Chat", version)
            .AddChannel("/ws/{username}", Chat.SwitchboardMessages.Catalog)
            .ToJson() + "\n";
        Assert.Equal(expected, written);
    }
}
