namespace Switchboard;

/// <summary>
/// Lists the typed errors a request (<see cref="IRequest{TResponse}"/>) may fail with, each a message that implements
/// <see cref="IRequestError"/>. The catalogue describes them with the request, the server sends only these, and the
/// client reads only these into <c>RequestFailedException.Error</c>.
/// </summary>
/// <remarks>
/// An attribute rather than more type arguments of <see cref="IRequest{TResponse}"/>: a request may have any number of
/// errors, and the response type stays the one type argument the client infers.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequestErrorsAttribute : Attribute
{
    /// <summary>Lists the errors.</summary>
    /// <param name="errors">The error types, each a <see cref="MessageAttribute"/> type that implements <see cref="IRequestError"/>.</param>
    public RequestErrorsAttribute(params Type[] errors) => Errors = errors;

    /// <summary>The error types.</summary>
    public IReadOnlyList<Type> Errors { get; }
}
