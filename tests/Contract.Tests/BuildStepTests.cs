using System.Reflection;

namespace Switchboard.Contract.Tests;

/// <summary>What the Chat sample's build wrote into samples/Chat/obj/contract (src/Contract/build/Switchboard.Contract.targets).</summary>
public sealed class BuildStepTests
{
    /// <summary>samples/Chat/obj/contract.</summary>
    public static string Directory { get; } = typeof(BuildStepTests).Assembly
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

        var expected = new Server.Contract.AsyncApiDocument("Switchboard Chat", "1.0.0")
            .AddChannel("/ws/{username}", Chat.SwitchboardMessages.Catalog)
            .ToJson() + "\n";
        Assert.Equal(expected, written);
    }
}
