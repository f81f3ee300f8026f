using Switchboard.Messaging;
using Switchboard.Server.Engines;
using Xunit;

namespace Switchboard.Server.Tests.Engines;

/// <summary>
/// The in-memory engine's presence when a connection ends while its connected hook is still claiming a name or joining
/// a group: the late claim or join finds the connection gone and leaves no trace.
/// </summary>
public sealed class InMemoryPresenceTests
{
    [Fact]
    public async Task A_claim_or_join_after_the_connection_was_removed_leaves_no_member_and_the_name_free()
    {
        await using var engine = await OpenAsync();
        await engine.AddConnectionAsync(1, default);
        Assert.True(await engine.RemoveConnectionAsync(new ConnectionPresence(1, null, []), default));

        Assert.False(await engine.SetUserAsync(1, null, "ada", unique: true, default));
        Assert.False(await engine.SetUserAsync(1, null, "bob", unique: false, default));
        await engine.JoinAsync(1, null, "room", default);

        Assert.Empty(await engine.UsersAsync(default));
        Assert.False(await engine.IsConnectedAsync("ada", default));
        Assert.Empty(await engine.MembersAsync("room", default));

        // The name is free for the next connection, which is the group's only member.
        await engine.AddConnectionAsync(2, default);
        Assert.True(await engine.SetUserAsync(2, null, "ada", unique: true, default));
        await engine.JoinAsync(2, "ada", "room", default);
        Assert.Equal(["ada"], await engine.UsersAsync(default));
        Assert.Equal([new GroupMember(2, "ada")], await engine.MembersAsync("room", default));
    }

    [Fact]
    public async Task A_connection_that_was_never_added_gets_no_user_and_no_group()
    {
        await using var engine = await OpenAsync();

        Assert.False(await engine.SetUserAsync(7, null, "ada", unique: false, default));
        await engine.JoinAsync(7, "ada", "room", default);

        Assert.Empty(await engine.UsersAsync(default));
        Assert.Empty(await engine.MembersAsync("room", default));
    }

    private static async Task<IEndpointEngine> OpenAsync() => await new InMemoryEngine().OpenAsync(new EngineEndpoint
    {
        Name = "presence",
        UserComparer = StringComparer.Ordinal,
        History = static _ => null,
        Node = new SilentNode(),
    }, default);

    /// <summary>A node that takes deliveries and drops them: these tests look at presence only.</summary>
    private sealed class SilentNode : IEngineNode
    {
        public ValueTask DeliverAsync(MessageTarget target, EngineMessage message) => ValueTask.CompletedTask;

        public ValueTask ConnectionsLostAsync(IReadOnlyList<ConnectionPresence> connections) => ValueTask.CompletedTask;

        public void Interrupted(string reason)
        {
        }
    }
}
