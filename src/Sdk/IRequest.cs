using System.ComponentModel;
using System.Text.Json;

namespace Switchboard;

/// <summary>
/// Declares a message as a request answered by one <typeparamref name="TResponse"/>: implement it on a
/// <see cref="MessageAttribute"/> record, list the errors it may fail with in <see cref="RequestErrorsAttribute"/>, and
/// the generator implements its members. The server answers it with a typed handler, and the .NET client's
/// <c>RequestAsync</c> infers the response type from it (docs/protocol.md, "Request/response").
/// </summary>
/// <typeparam name="TResponse">The reply: a message (<see cref="MessageAttribute"/>) that is neither a request nor an error.</typeparam>
/// <example>
/// <code>
/// [Message("chat.history"), RequestErrors(typeof(HistoryDenied))]
/// public partial record HistoryRequest(long Before, int Limit) : IRequest&lt;HistoryPage&gt;;
/// </code>
/// </example>
public interface IRequest<TResponse>
{
    /// <summary>
    /// Writes this request in an envelope with the correlation <paramref name="id"/>. Implemented by the generator;
    /// not meant to be called by hand.
    /// </summary>
    /// <param name="writer">The writer, positioned where a JSON value may be written.</param>
    /// <param name="id">The correlation id.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    void WriteRequest(Utf8JsonWriter writer, string id);

    /// <summary>
    /// Reads the <c>data</c> of an error reply of wire name <paramref name="type"/> when it is one of the errors the
    /// request declares (<see cref="RequestErrorsAttribute"/>); null for any other type. Implemented by the generator;
    /// not meant to be called by hand.
    /// </summary>
    /// <param name="type">The reply's wire name.</param>
    /// <param name="reader">The reader, positioned before the <c>data</c> object.</param>
    /// <returns>The error record, or null.</returns>
    /// <exception cref="MessageFormatException">The data does not match the error type.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    object? ReadError(string type, ref Utf8JsonReader reader);
}
