using System.Buffers;
using System.Text;
using Switchboard;
using Switchboard.Messaging;
using Switchboard.Server;
using Switchboard.Server.Engines;

namespace Chat;

/// <summary>
/// The room: unique user names, a roster, broadcast and direct messages, and the room's history (messages, arrivals
/// and departures) replayed to each newcomer, or what a reconnecting client missed, and read a page at a time with
/// the <c>chat.history</c> request. Thread-safe: the room group keeps
/// history, so every member sees its messages in the order of their offsets.
/// </summary>
/// <remarks>
/// Names are ASCII, unique ignoring case and shown as their owner typed them. Texts may hold newlines and tabs but no
/// other control character and no bidirectional override, embedding or isolate (docs/protocol.md).
/// </remarks>
public sealed class ChatRoom : IDisposable
{
    /// <summary>The longest message text, in UTF-16 code units.</summary>
    public const int MaxTextLength = 2000;

    /// <summary>How many recent messages a newcomer is shown.</summary>
    public const int HistorySize = ChatLimits.JoinHistory;

    /// <summary>The longest user name.</summary>
    public const int MaxNameLength = 32;

    private const string Room = "room";

    /// <summary>The most of a refused name a refusal quotes.</summary>
    private const int MaxQuoted = MaxNameLength;

    /// <summary>
    /// What a text may not hold: the C0 controls but tab and newline, DEL, the C1 controls, and the bidirectional
    /// embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069), which reorder what follows them. The marks
    /// (U+200E, U+200F, U+061C) stay allowed: mixed right-to-left text needs them and they reorder nothing.
    /// </summary>
    private static readonly SearchValues<char> Refused = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F" +
        "\u007F\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F" +
        "\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F" +
        "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");

    /// <summary>How many of the room's messages its history keeps for reconnecting clients.</summary>
    public const int HistoryLength = 1000;

    private static readonly GroupHistory RoomHistory = new() { MaxLength = HistoryLength };

    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1); // one arrival at a time: a name is claimed and announced before the next

    /// <summary>Creates the room and its endpoint.</summary>
    public ChatRoom(MessageEndpoint endpoint, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _time = time ?? TimeProvider.System;
        // One name in any case: "TakenName" is refused while "takenname" is in the room.
        endpoint.UserComparer = StringComparer.OrdinalIgnoreCase;
        endpoint.History = static group => group == Room ? RoomHistory : null;
        Endpoint = endpoint
            .OnConnected(JoinAsync)
            .OnDisconnected(LeaveAsync)
            .On<SendChat>(SendAsync)
            .On<DirectMessage>(DirectAsync)
            .Sends<DirectMessage>() // relayed to its recipient: the AsyncAPI document lists it both ways
            .OnRequest<HistoryRequest, HistoryPage>(HistoryAsync);
    }

    /// <summary>
    /// The typed endpoint: mapped at <c>/ws/{username}</c> the name comes from the path; mapped without that value (a
    /// host that authenticated the connection, as samples/Chat.AspNetCore does) it is the connection's user.
    /// </summary>
    public MessageEndpoint Endpoint { get; }

    /// <summary>
    /// A name is 1-32 ASCII letters, digits, '_' or '-'. Being ASCII, a name has a single Unicode spelling, so no
    /// normalization is needed before names are compared (and string.Normalize would not do it: under
    /// InvariantGlobalization it returns its input unchanged).
    /// </summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private async ValueTask JoinAsync(MessageContext context)
    {
        var name = context.RouteValues.GetValueOrDefault("username") ?? context.User ?? "";
        if (!IsValidName(name))
        {
            await RefuseAsync(context, NotAName(name));
            return;
        }

        await _gate.WaitAsync();
        try
        {
            // An authenticated connection already carries its name, which TrySetUniqueUserAsync accepts again: a second
            // connection of a signed-in user is refused here, by the room.
            if (!await context.TrySetUniqueUserAsync(name) || await IsMemberAsync(name))
            {
                await RefuseAsync(context, $"the name '{name}' is taken");
                return;
            }
            await context.SendAsync(new Roster([.. (await MemberNamesAsync()).Append(name).Order(StringComparer.Ordinal)]));
            // The last messages, or what a reconnecting client missed since the position it presented, then live ones.
            await context.JoinGroupAsync(Room, history: HistorySize);
            // To the room, so it is in the history too; the newcomer gets its own.
            await Endpoint.Group(Room).SendAsync(new UserJoined(name));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask LeaveAsync(MessageContext context, CloseCode? status)
    {
        // Only members were ever announced; a refused connection leaves silently.
        if (context.User is not { } name || !context.Groups.Contains(Room)) return;
        await Endpoint.Group(Room).SendAsync(new UserLeft(name));
    }

    private async ValueTask SendAsync(MessageContext context, SendChat request)
    {
        if (context.User is not { } sender) return;
        if (Validate(request.Text) is { } problem)
        {
            await context.SendAsync(new ChatError(problem));
            return;
        }

        await Endpoint.Group(Room).SendAsync(new ChatMessage(sender, request.Text, _time.GetUtcNow()));
    }

    private async ValueTask DirectAsync(MessageContext context, DirectMessage request)
    {
        if (context.User is not { } sender) return;
        if (!IsValidName(request.To))
        {
            await context.SendAsync(new ChatError(NotAName(request.To)));
            return;
        }
        if (Validate(request.Text) is { } problem)
        {
            await context.SendAsync(new ChatError(problem));
            return;
        }

        // The recipient as they spell their name, whatever case the sender used.
        var members = await Endpoint.GroupMembersAsync(Room);
        if (members.FirstOrDefault(m => Endpoint.UserComparer.Equals(m.User, request.To)).User is not { } recipient)
        {
            await context.SendAsync(new ChatError($"'{request.To}' is not online"));
            return;
        }

        var message = new DirectMessage(sender, recipient, request.Text, _time.GetUtcNow());
        await Endpoint.User(recipient).SendAsync(message);
        if (!Endpoint.UserComparer.Equals(recipient, sender)) await Endpoint.User(sender).SendAsync(message);
    }

    /// <summary>A page of the room's history, for a member that loads older messages than those it was shown.</summary>
    private async ValueTask<HistoryPage> HistoryAsync(MessageContext context, HistoryRequest request)
    {
        if (context.User is null || !context.Groups.Contains(Room))
            throw new RequestException<HistoryRefused>(new HistoryRefused("only members of the room can read its history"));
        if (request.Limit is < 1 or > ChatLimits.MaxHistoryPage)
            throw new RequestException<HistoryRefused>(new HistoryRefused($"limit must be 1 to {ChatLimits.MaxHistoryPage}"));
        if (request.Before is < 1)
            throw new RequestException<HistoryRefused>(new HistoryRefused("before must be an offset of 1 or more"));

        // One more than asked tells whether older messages are kept.
        var read = await Endpoint.ReadHistoryAsync(Room, request.Before, request.Limit + 1);
        var more = read.Count > request.Limit;
        var entries = new List<HistoryEntry>(request.Limit);
        foreach (var message in more ? read.Skip(1) : read)
        {
            if (ToEntry(message) is { } entry) entries.Add(entry);
        }
        return new HistoryPage(entries, more);
    }

    /// <summary>A stored envelope of the room as a history entry; null for a type the room never stores.</summary>
    private static HistoryEntry? ToEntry(EngineMessage message)
    {
        var json = message.Envelope.Span;
        if (!Envelope.TryRead(json, out var header, out _)) return null;
        return header.Type switch
        {
            "chat.message" when Envelope.ReadData<ChatMessage>(json, header) is var m => new(message.Offset, header.Type, m.Sender, m.Text, m.SentAt),
            "chat.announcement" when Envelope.ReadData<Announcement>(json, header) is var a => new(message.Offset, header.Type, null, a.Text, a.SentAt),
            "chat.joined" when Envelope.ReadData<UserJoined>(json, header) is var j => new(message.Offset, header.Type, j.User, null, null),
            "chat.left" when Envelope.ReadData<UserLeft>(json, header) is var l => new(message.Offset, header.Type, l.User, null, null),
            _ => null,
        };
    }

    /// <summary>Sends an announcement to everyone in the room, after the messages already sent.</summary>
    /// <param name="text">The announcement, under the rules of a message text.</param>
    /// <returns>Why the text was refused, or null when it was sent.</returns>
    public async ValueTask<string?> AnnounceAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Validate(text) is { } problem) return problem;
        await Endpoint.Group(Room).SendAsync(new Announcement(text, _time.GetUtcNow()));
        return null;
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();

    private async ValueTask<bool> IsMemberAsync(string name) => (await Endpoint.GroupMembersAsync(Room)).Any(m => Endpoint.UserComparer.Equals(m.User, name));

    private async ValueTask<IEnumerable<string>> MemberNamesAsync() => (await Endpoint.GroupMembersAsync(Room)).Select(m => m.User!);

    private static string? Validate(string text) => text switch
    {
        _ when string.IsNullOrWhiteSpace(text) => "a message cannot be empty",
        { Length: > MaxTextLength } => $"a message can be at most {MaxTextLength} characters",
        _ when text.AsSpan().IndexOfAny(Refused) is var at and >= 0 => Describe(text[at]),
        _ => null,
    };

    private static string Describe(char c) => c >= '\u2000'
        ? $"a message cannot hold U+{(int)c:X4}: bidirectional overrides, embeddings and isolates could disguise other messages"
        : $"a message cannot hold U+{(int)c:X4}: the only control characters allowed are newline and tab";

    private static string NotAName(string name) =>
        $"{Quote(name)} is not a valid name: use 1-{MaxNameLength} ASCII letters, digits, '_' or '-'";

    /// <summary>
    /// A refused name as a refusal may repeat it: at most <see cref="MaxQuoted"/> characters, anything but printable
    /// ASCII shown as '?', and an ellipsis when it was longer.
    /// </summary>
    private static string Quote(string name)
    {
        var quoted = new StringBuilder("'", MaxQuoted + 3);
        foreach (var c in name.AsSpan(0, Math.Min(name.Length, MaxQuoted))) quoted.Append(c is >= ' ' and <= '~' ? c : '?');
        return quoted.Append(name.Length > MaxQuoted ? "...'" : "'").ToString();
    }

    private static async ValueTask RefuseAsync(MessageContext context, string reason)
    {
        await context.SendAsync(new ChatError(reason));
        await context.CloseAsync(CloseCode.PolicyViolation, reason);
    }
}
