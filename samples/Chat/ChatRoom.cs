using System.Buffers;
using System.Text;
using Switchboard;
using Switchboard.Server;

namespace Chat;

/// <summary>
/// The room: unique user names, a roster, broadcast and direct messages, and the last messages replayed to each
/// newcomer. Thread-safe: room changes are serialized so every member sees the same order.
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
    public const int HistorySize = 50;

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

    private readonly TimeProvider _time;
    // Serialized once: the replay to each newcomer shares these bytes (no copy per joiner or per long-polling session).
    private readonly Queue<PreparedMessage> _history = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the room and its endpoint.</summary>
    public ChatRoom(MessageEndpoint endpoint, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _time = time ?? TimeProvider.System;
        // One name in any case: "TakenName" is refused while "takenname" is in the room.
        endpoint.UserComparer = StringComparer.OrdinalIgnoreCase;
        Endpoint = endpoint
            .OnConnected(JoinAsync)
            .OnDisconnected(LeaveAsync)
            .On<SendChat>(SendAsync)
            .On<DirectMessage>(DirectAsync);
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
            // An authenticated connection already carries its name, which TrySetUniqueUser accepts again: a second
            // connection of a signed-in user is refused here, by the room.
            if (!context.TrySetUniqueUser(name) || IsMember(name))
            {
                await RefuseAsync(context, $"the name '{name}' is taken");
                return;
            }
            context.JoinGroup(Room);
            await context.SendAsync(new Roster(MemberNames()));
            foreach (var message in _history) await context.SendAsync(message);
            await context.Others.SendAsync(new UserJoined(name));
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
        await _gate.WaitAsync();
        try
        {
            await Endpoint.Group(Room).SendAsync(new UserLeft(name));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask SendAsync(MessageContext context, SendChat request)
    {
        if (context.User is not { } sender) return;
        if (Validate(request.Text) is { } problem)
        {
            await context.SendAsync(new ChatError(problem));
            return;
        }

        await _gate.WaitAsync();
        try
        {
            var message = PreparedMessage.Create(new ChatMessage(sender, request.Text, _time.GetUtcNow()));
            _history.Enqueue(message);
            if (_history.Count > HistorySize) _history.Dequeue();
            await Endpoint.Group(Room).SendAsync(message);
        }
        finally
        {
            _gate.Release();
        }
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
        var recipients = Endpoint.User(request.To).Resolve();
        if (recipients is not [{ User: { } recipient }, ..])
        {
            await context.SendAsync(new ChatError($"'{request.To}' is not online"));
            return;
        }

        var message = new DirectMessage(sender, recipient, request.Text, _time.GetUtcNow());
        await Endpoint.User(recipient).SendAsync(message);
        if (!Endpoint.UserComparer.Equals(recipient, sender)) await Endpoint.User(sender).SendAsync(message);
    }

    /// <summary>Sends an announcement to everyone in the room, after the messages already sent.</summary>
    /// <param name="text">The announcement, under the rules of a message text.</param>
    /// <returns>Why the text was refused, or null when it was sent.</returns>
    public async ValueTask<string?> AnnounceAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Validate(text) is { } problem) return problem;
        await _gate.WaitAsync();
        try
        {
            await Endpoint.Group(Room).SendAsync(new Announcement(text, _time.GetUtcNow()));
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _gate.Dispose();

    private bool IsMember(string name) => Endpoint.GroupMembers(Room).Any(c => Endpoint.UserComparer.Equals(c.User, name));

    private string[] MemberNames() => [.. Endpoint.GroupMembers(Room).Select(c => c.User!).Order(StringComparer.Ordinal)];

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
