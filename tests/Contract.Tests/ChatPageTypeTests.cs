using System.Reflection;

namespace Switchboard.Contract.Tests;

/// <summary>
/// The chat pages are plain ES modules with JSDoc types (// @ts-check): tsc checks them against the client package's
/// switchboard.d.ts and the contract module the Chat build writes, with pages/tsconfig.json.
/// </summary>
public sealed class ChatPageTypeTests
{
    private static readonly string Pages = Path.GetFullPath(Path.Combine(NodeTools.Directory, "..", "pages"));

    [Fact]
    public async Task The_chat_pages_type_check_against_the_contract()
    {
        var (exitCode, output) = await NodeTools.TscAsync(Pages, CheckOptions(Path.Combine(Pages, "tsconfig.json")));

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task A_misspelt_message_type_in_the_chat_page_fails_the_check()
    {
        var (exitCode, output) = await CheckEditedChatPageAsync(
            "s.client.send('chat.send', { text })", "s.client.send('chat.sned', { text })");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("chat.js(", output, StringComparison.Ordinal);
        Assert.Contains("error TS2345: Argument of type '\"chat.sned\"' is not assignable", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_data_field_in_the_chat_page_fails_the_check()
    {
        var (exitCode, output) = await CheckEditedChatPageAsync(
            "s.client.send('chat.direct', { to: s.target, text })", "s.client.send('chat.direct', { too: s.target, text })");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("'too' does not exist in type 'DirectMessage'", output, StringComparison.Ordinal);
    }

    private static string[] CheckOptions(string project) => ["-p", project, "--noEmit", "--strict", "--checkJs"];

    /// <summary>Checks a copy of chat.js with <paramref name="original"/> replaced by <paramref name="edited"/>.</summary>
    private static Task<(int ExitCode, string Output)> CheckEditedChatPageAsync(string original, string edited)
    {
        var page = File.ReadAllText(Path.Combine(Pages, "..", "..", "..", "samples", "Chat", "wwwroot", "chat.js"));
        Assert.Contains(original, page, StringComparison.Ordinal);

        var directory = NodeTools.ScratchDirectory();
        File.WriteAllText(Path.Combine(directory, "chat.js"), page.Replace(original, edited, StringComparison.Ordinal));
        // The copy resolves './switchboard.js', './Chat.messages.js' and './older.js' as the page does, from its own folder.
        string[] rootDirs = [directory, Path.Combine(Pages, "..", "..", "..", "samples", "Chat", "wwwroot"), Metadata("ClientPackage"), Metadata("ChatContract")];
        File.WriteAllText(Path.Combine(directory, "tsconfig.json"), System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["extends"] = Path.Combine(Pages, "tsconfig.json"),
            ["compilerOptions"] = new Dictionary<string, object> { ["rootDirs"] = rootDirs.Select(Path.GetFullPath).ToArray() },
            ["files"] = new[] { "chat.js" },
        }));
        return NodeTools.TscAsync(directory, CheckOptions(Path.Combine(directory, "tsconfig.json")));
    }

    private static string Metadata(string key) => typeof(ChatPageTypeTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
