using Switchboard.Messaging;

namespace Switchboard.Client;

/// <summary>
/// A request (<see cref="SwitchboardClient.RequestAsync{TResponse}(IRequest{TResponse}, CancellationToken)"/>) failed:
/// either with one of its typed errors (<see cref="Error"/> holds the error record, <see cref="ErrorType"/> its wire
/// name), or with a built-in failure (<see cref="Code"/> is one of the <see cref="RequestFailure"/> codes and
/// <see cref="Exception.Message"/> the server's message).
/// </summary>
public sealed class RequestFailedException : Exception
{
    /// <summary>Creates the exception of a typed error reply.</summary>
    /// <param name="requestType">The request's wire name.</param>
    /// <param name="errorType">The error's wire name.</param>
    /// <param name="error">The error record.</param>
    public RequestFailedException(string requestType, string errorType, object error)
        : base($"request '{requestType}' failed with '{errorType}'")
    {
        RequestType = requestType;
        ErrorType = errorType;
        Error = error;
    }

    /// <summary>Creates the exception of a built-in failure.</summary>
    /// <param name="requestType">The request's wire name.</param>
    /// <param name="code">The failure's code, one of the <see cref="RequestFailure"/> codes.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause on the client, if any.</param>
    public RequestFailedException(string requestType, string code, string message, Exception? innerException = null)
        : base($"request '{requestType}' failed ({code}): {message}", innerException)
    {
        RequestType = requestType;
        Code = code;
    }

    /// <summary>The request's wire name.</summary>
    public string RequestType { get; }

    /// <summary>The built-in failure's code (<see cref="RequestFailure.HandlerFailed"/>, ...); null for a typed error.</summary>
    public string? Code { get; }

    /// <summary>The typed error record, one of the request's <see cref="RequestErrorsAttribute"/> types; null for a built-in failure.</summary>
    public object? Error { get; }

    /// <summary>The typed error's wire name; null for a built-in failure.</summary>
    public string? ErrorType { get; }
}
