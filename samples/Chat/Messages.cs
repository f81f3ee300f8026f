using Switchboard;

// The chat's wire contract (docs/protocol.md). Shared with samples/Chat.Client.
namespace Chat;

/// <summary>Client to server: a message for everyone in the room.</summary>
[Message("chat.send")]
public sealed partial record SendChat(string Text);

/// <summary>
/// Both ways. Client to server: <c>{to, text}</c>. Server to client, to the recipient and the sender's connections:
/// <c>{from, to, text, sentAt}</c>.
/// </summary>
[Message("chat.direct")]
public sealed partial record DirectMessage(string? From, string To, string Text, DateTimeOffset? SentAt);

/// <summary>Server to client: a room message.</summary>
[Message("chat.message")]
public sealed partial record ChatMessage(string Sender, string Text, DateTimeOffset SentAt);

/// <summary>Server to client: someone joined the room.</summary>
[Message("chat.joined")]
public sealed partial record UserJoined(string User);

/// <summary>Server to client: someone left the room.</summary>
[Message("chat.left")]
public sealed partial record UserLeft(string User);

/// <summary>Server to client, on join: everyone in the room, the newcomer included.</summary>
[Message("chat.roster")]
public sealed partial record Roster(IReadOnlyList<string> Users);

/// <summary>Server to client: a request was refused.</summary>
[Message("chat.error")]
public sealed partial record ChatError(string Reason);

/// <summary>Server to client: an announcement to the whole room, from the host rather than a member.</summary>
[Message("chat.announcement")]
public sealed partial record Announcement(string Text, DateTimeOffset SentAt);

/// <summary>
/// Client to server, a request: the room's messages older than offset <see cref="Before"/> (the newest when null), at
/// most <see cref="Limit"/> (1 to <see cref="ChatLimits.MaxHistoryPage"/>), answered with a <see cref="HistoryPage"/> or
/// a <see cref="HistoryRefused"/>.
/// </summary>
[Message("chat.history"), RequestErrors(typeof(HistoryRefused))]
public sealed partial record HistoryRequest(long? Before, int Limit) : IRequest<HistoryPage>;

/// <summary>
/// Server to client, the reply to a <see cref="HistoryRequest"/>: the room's messages, oldest first, and whether older
/// ones are kept; the next page asks for those before the first entry's offset.
/// </summary>
[Message("chat.history.page")]
public sealed partial record HistoryPage(IReadOnlyList<HistoryEntry> Entries, bool More);

/// <summary>
/// One message of the room's history: its offset, its wire type (<c>chat.message</c>, <c>chat.announcement</c>,
/// <c>chat.joined</c> or <c>chat.left</c>), who it is from or about, its text and when it was sent, when it has them.
/// </summary>
public sealed record HistoryEntry(long Offset, string Type, string? User, string? Text, DateTimeOffset? SentAt);

/// <summary>Server to client, the typed error of a <see cref="HistoryRequest"/>: why it was refused.</summary>
[Message("chat.history.refused")]
public sealed partial record HistoryRefused(string Reason) : IRequestError;

/// <summary>The numbers both sides of the chat rely on.</summary>
public static class ChatLimits
{
    /// <summary>How many of the room's last messages a newcomer is shown when it joins.</summary>
    public const int JoinHistory = 50;

    /// <summary>The most messages one <see cref="HistoryRequest"/> returns.</summary>
    public const int MaxHistoryPage = 100;
}
