namespace Switchboard;

/// <summary>
/// Marks a record or class as a wire message named <see cref="Name"/>. The Switchboard generator
/// makes the (partial) type implement <see cref="IMessage{TSelf}"/> and adds it to the assembly's
/// message catalogue.
/// </summary>
/// <remarks>
/// A wire name is 1 to 128 characters: lowercase ASCII segments (<c>a-z</c>, <c>0-9</c>) separated
/// by single <c>.</c>, <c>-</c> or <c>_</c>, starting with a letter. Examples: <c>chat.send</c>,
/// <c>user-joined</c>, <c>room.v2.state</c>. See docs/protocol.md, "Messages (wire format v1)".
/// </remarks>
/// <example>
/// <code>
/// [Message("chat.send")]
/// public partial record SendChat(string Text);
///
/// [Message("auth.token", Compress = false)]
/// public partial record AuthToken(string Token);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class MessageAttribute : Attribute
{
    /// <summary>Declares the wire name of the message.</summary>
    /// <param name="name">The value of the envelope's <c>type</c> property, e.g. <c>chat.send</c>.</param>
    public MessageAttribute(string name) => Name = name;

    /// <summary>The value of the envelope's <c>type</c> property.</summary>
    public string Name { get; }

    /// <summary>
    /// Whether the message may be sent compressed on a connection that negotiated permessage-deflate; true by default.
    /// Set it to false for a message that carries a secret next to text an attacker can choose (CRIME/BREACH): such a
    /// message is never compressed by a server, on any connection. See docs/protocol.md, "Compression".
    /// </summary>
    public bool Compress { get; set; } = true;
}
