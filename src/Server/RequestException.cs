using Switchboard.Connections;

namespace Switchboard.Server;

/// <summary>
/// Thrown by a request handler (<see cref="MessageEndpoint.OnRequest{TRequest, TResponse}"/>) to fail the request with a
/// typed error: the client gets <see cref="Error"/> as the reply, under its own wire name. Throw
/// <see cref="RequestException{TError}"/>; an error the request does not list in its
/// <see cref="RequestErrorsAttribute"/> is sent as the built-in <c>handler_failed</c> failure instead, and logged.
/// </summary>
public abstract class RequestException : Exception
{
    private protected RequestException(object error, string errorType)
        : base($"the request failed with '{errorType}'")
    {
        Error = error;
        ErrorType = errorType;
    }

    /// <summary>The error record.</summary>
    public object Error { get; }

    /// <summary>The error's wire name.</summary>
    public string ErrorType { get; }

    /// <summary>The error reply with the request's <paramref name="id"/>.</summary>
    internal abstract EncodedMessage Encode(string id);
}

/// <summary>Fails a request with the typed error <typeparamref name="TError"/>; see <see cref="RequestException"/>.</summary>
/// <typeparam name="TError">The error: a message that implements <see cref="IRequestError"/>.</typeparam>
/// <example>
/// <code>
/// throw new RequestException&lt;HistoryDenied&gt;(new HistoryDenied("join the room first"));
/// </code>
/// </example>
public sealed class RequestException<TError> : RequestException where TError : IMessage<TError>, IRequestError
{
    /// <summary>Creates the exception that fails a request with <paramref name="error"/>.</summary>
    /// <param name="error">The error record.</param>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public RequestException(TError error)
        : base(error ?? throw new ArgumentNullException(nameof(error)), TError.MessageType)
    {
        TypedError = error;
    }

    /// <summary>The error record.</summary>
    public TError TypedError { get; }

    internal override EncodedMessage Encode(string id) => EncodedMessage.Create(TypedError, id);
}
