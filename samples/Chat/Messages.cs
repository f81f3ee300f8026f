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
