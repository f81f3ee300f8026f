using Chat;
using Switchboard.EndToEnd.Tests.AspNetCore;
using Switchboard.Client;
using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests.Cluster;

/// <summary>
/// samples/Chat.AspNetCore with a Switchboard:Redis section (from the environment) and samples/Chat --redis on the same
/// redis-server: two hosts, one room.
/// </summary>
public sealed class ClusterAspNetCoreTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task The_AspNetCore_chat_configured_for_Redis_shares_the_room_with_a_standalone_node()
    {
        await using var cluster = await ChatCluster.StartAsync(nodes: 1);
        var dll = Path.Combine(AppContext.BaseDirectory, "samples", "Chat.AspNetCore", "Chat.AspNetCore.dll");
        await using var aspNetCore = await SampleProcess.StartProgramAsync("dotnet", [dll, "--port", "0"],
            environment: new Dictionary<string, string> { ["Switchboard__Redis__Configuration"] = cluster.Redis.Configuration });

        var name = $"asp{Guid.NewGuid():N}"[..12];
        await using var page = await SignedInChatPage.SignInAsync(chromium.Browser, aspNetCore.HttpUri("/"), name);
        await using var member = await ClusterMember.JoinAsync(cluster.Node(0).WebSocketUri(), "std" + name[3..], SwitchboardTransport.WebSocket);
        Assert.Contains(name, member.All<Roster>().Single().Users);
        await page.ExpectRosterAsync([.. new[] { name, member.Name }.Order(StringComparer.Ordinal)]);

        await member.SayAsync("from the standalone node");
        await page.ExpectMessageAsync(member.Name, "from the standalone node");
        await page.SendAsync("from ASP.NET Core");
        await member.UntilAsync<ChatMessage>(m => m.Sender == name && m.Text == "from ASP.NET Core", "the page's message");
    }
}
