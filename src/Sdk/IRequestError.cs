namespace Switchboard;

/// <summary>
/// Marks a message as an error a request may fail with: a <see cref="MessageAttribute"/> record that implements this
/// interface is an error in the catalogue (<see cref="Serialization.MessageKind.Error"/>), may be listed in a request's
/// <see cref="RequestErrorsAttribute"/>, and is what a server handler fails with to send a typed error reply.
/// </summary>
/// <example>
/// <code>
/// [Message("chat.history.denied")]
/// public partial record HistoryDenied(string Reason) : IRequestError;
/// </code>
/// </example>
public interface IRequestError
{
}
