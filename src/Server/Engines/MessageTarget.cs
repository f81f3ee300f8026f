namespace Switchboard.Server.Engines;

/// <summary>Whom a published message is for: everyone, a group, a user or one connection, optionally but one connection.</summary>
public readonly record struct MessageTarget
{
    private MessageTarget(MessageTargetKind kind, string? name, long connectionId, long except)
    {
        Kind = kind;
        Name = name;
        ConnectionId = connectionId;
        Except = except;
    }

    /// <summary>What kind of set the target is.</summary>
    public MessageTargetKind Kind { get; }

    /// <summary>The group's or the user's name; null for the other kinds.</summary>
    public string? Name { get; }

    /// <summary>The connection of a <see cref="MessageTargetKind.Connection"/> target; 0 otherwise.</summary>
    public long ConnectionId { get; }

    /// <summary>A connection left out of the set; 0 for none.</summary>
    public long Except { get; }

    /// <summary>Every connection of the endpoint, but <paramref name="except"/> when it is not 0.</summary>
    public static MessageTarget All(long except = 0) => new(MessageTargetKind.All, null, 0, except);

    /// <summary>Every member of <paramref name="group"/>, but <paramref name="except"/> when it is not 0.</summary>
    public static MessageTarget Group(string group, long except = 0) => new(MessageTargetKind.Group, group, 0, except);

    /// <summary>Every connection of <paramref name="user"/>.</summary>
    public static MessageTarget User(string user) => new(MessageTargetKind.User, user, 0, 0);

    /// <summary>One connection.</summary>
    public static MessageTarget Connection(long connectionId) => new(MessageTargetKind.Connection, null, connectionId, 0);
}

/// <summary>The kinds of <see cref="MessageTarget"/>.</summary>
public enum MessageTargetKind
{
    /// <summary>Every connection.</summary>
    All,

    /// <summary>The members of a group.</summary>
    Group,

    /// <summary>The connections of a user.</summary>
    User,

    /// <summary>One connection.</summary>
    Connection,
}
