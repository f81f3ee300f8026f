using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Switchboard.Connections;
using Switchboard.Messaging;
using Switchboard.Serialization;
using Switchboard.Server.Diagnostics;
using Switchboard.Server.Messaging;

namespace Switchboard.Server;

// Requests (docs/protocol.md, "Request/response"): typed handlers that return the reply, run off the receive loop,
// at most EndpointOptions.MaxRequestsInFlight at once per connection.
public sealed partial class MessageEndpoint
{
    private delegate ValueTask RequestDispatch(MessageContext context, string id, in ReadOnlySequence<byte> data);

    private readonly Dictionary<string, RequestDispatch> _requests = new(StringComparer.Ordinal);
    private LimitReporter? _requestReporter; // set when mapped, before the server starts
    private int? _maxRequestsInFlight;

    /// <summary>The bound of requests in flight per connection the endpoint was mapped with (the default before).</summary>
    internal int MaxRequestsInFlight => _maxRequestsInFlight ?? EndpointOptions.DefaultMaxRequestsInFlight;

    /// <summary>
    /// Answers every incoming <typeparamref name="TRequest"/> with the <typeparamref name="TResponse"/> its handler
    /// returns, sent to the requesting connection alone with the request's <c>id</c> (docs/protocol.md,
    /// "Request/response"). To fail with a typed error the handler throws <see cref="RequestException{TError}"/> with one
    /// of the errors the request lists (<see cref="RequestErrorsAttribute"/>); any other exception is logged (event 220,
    /// with the exception), counted on <c>switchboard.server.handler.failures</c>, and answered with the
    /// <c>handler_failed</c> failure, whose message never contains the exception's text.
    /// </summary>
    /// <remarks>
    /// Request handlers run off the connection's receive loop: a connection's requests run concurrently with each other
    /// and with its message handlers, up to <see cref="EndpointOptions.MaxRequestsInFlight"/> at once; the request over
    /// that bound is answered with <c>too_many_requests</c> and its handler does not run. A request whose data does not
    /// match its type is answered with <c>invalid_request</c>, naming the property. Handlers that share state through
    /// <see cref="MessageContext.Items"/> must synchronize.
    /// </remarks>
    /// <typeparam name="TRequest">A request of the endpoint's <see cref="Catalog"/>.</typeparam>
    /// <typeparam name="TResponse">Its response.</typeparam>
    /// <param name="handler">Runs for each request and returns the response.</param>
    /// <returns>This endpoint, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// <typeparamref name="TRequest"/> is not in <see cref="Catalog"/>, is not a request there, or has a handler already.
    /// </exception>
    public MessageEndpoint OnRequest<TRequest, TResponse>(Func<MessageContext, TRequest, ValueTask<TResponse>> handler)
        where TRequest : IMessage<TRequest>, IRequest<TResponse>
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(handler);
        var descriptor = Catalog.Get<TRequest>();
        if (descriptor.Kind != MessageKind.Request)
            throw new InvalidOperationException($"'{TRequest.MessageType}' is not a request in the endpoint's catalogue");
        if (_handlers.ContainsKey(TRequest.MessageType) || !_requests.TryAdd(TRequest.MessageType,
                (MessageContext context, string id, in ReadOnlySequence<byte> data) => DispatchRequest(context, id, data, handler, descriptor)))
            throw new InvalidOperationException($"a handler for '{TRequest.MessageType}' is already registered");
        return this;
    }

    /// <summary>Takes the bound of requests in flight of the mapping; one endpoint has one bound for all its routes.</summary>
    /// <exception cref="InvalidOperationException">The endpoint was mapped before with another bound.</exception>
    private void UseRequestLimits(EndpointOptions options, LimitReporter reporter)
    {
        if (_maxRequestsInFlight is { } mapped && mapped != options.MaxRequestsInFlight)
            throw new InvalidOperationException("this endpoint is already mapped with another MaxRequestsInFlight: an endpoint has one bound for all its routes");
        _maxRequestsInFlight = options.MaxRequestsInFlight;
        _requestReporter ??= reporter;
    }

    /// <summary>A request without a valid id is a malformed envelope: the connection is closed with 1007.</summary>
    private ValueTask RequestWithoutIdAsync(MessageContext context)
    {
        MessageLog.MalformedEnvelope(_logger, context.ConnectionId, EnvelopeError.RequestWithoutId);
        return context.CloseAsync(CloseCode.InvalidPayloadData, $"malformed envelope: {EnvelopeError.RequestWithoutId.Describe()}");
    }

    private ValueTask NoRequestHandlerAsync(MessageContext context, string type, string id)
    {
        Log.NoRequestHandler(_logger, context.ConnectionId, type);
        return ReplyAsync(context, type, id, RequestFailure.Encode(id, RequestFailure.NoHandler, $"'{type}' has no handler on this endpoint"), RequestFailure.Type);
    }

    private ValueTask DispatchRequest<TRequest, TResponse>(MessageContext context, string id, in ReadOnlySequence<byte> data,
        Func<MessageContext, TRequest, ValueTask<TResponse>> handler, MessageDescriptor descriptor)
        where TRequest : IMessage<TRequest>, IRequest<TResponse>
        where TResponse : IMessage<TResponse>
    {
        TRequest request;
        try
        {
            var reader = new Utf8JsonReader(data);
            request = TRequest.Read(ref reader);
        }
        catch (MessageFormatException e)
        {
            Log.InvalidRequest(_logger, context.ConnectionId, TRequest.MessageType, e.Message);
            return ReplyAsync(context, TRequest.MessageType, id, RequestFailure.Encode(id, RequestFailure.InvalidRequest, e.Message), RequestFailure.Type);
        }

        var max = MaxRequestsInFlight;
        if (Interlocked.Increment(ref context.RequestsInFlight) > max)
        {
            Interlocked.Decrement(ref context.RequestsInFlight);
            var detail = string.Create(CultureInfo.InvariantCulture, $"{max} requests in flight on this connection, the most the endpoint allows");
            _requestReporter?.Hit(ServerLimit.RequestsInFlight, context.Channel.RemoteEndPoint, $"connection {context.ConnectionId}: {TRequest.MessageType} over {detail}");
            return ReplyAsync(context, TRequest.MessageType, id, RequestFailure.Encode(id, RequestFailure.TooManyRequests, detail), RequestFailure.Type);
        }

        // Off the receive loop, so that the connection's next messages (and requests) are read meanwhile.
        _ = Task.Run(() => RunRequestAsync(context, id, request, handler, descriptor));
        return ValueTask.CompletedTask;
    }

#pragma warning disable CA1031 // Application handlers may throw anything; the client gets a failure and the connection lives on.
    private async Task RunRequestAsync<TRequest, TResponse>(MessageContext context, string id, TRequest request,
        Func<MessageContext, TRequest, ValueTask<TResponse>> handler, MessageDescriptor descriptor)
        where TRequest : IMessage<TRequest>, IRequest<TResponse>
        where TResponse : IMessage<TResponse>
    {
        var type = TRequest.MessageType;
        var activity = ServerActivities.StartMessage(type, context);
        EncodedMessage reply;
        string replyType;
        try
        {
            var call = new RequestCall<TRequest, TResponse>(handler, request);
            await CallAsync(context, call, static (c, s) => s.RunAsync(c)).ConfigureAwait(false);
            reply = EncodedMessage.Create(call.Response!, id);
            replyType = TResponse.MessageType;
        }
        catch (RequestException e) when (descriptor.Errors.Contains(e.ErrorType))
        {
            reply = e.Encode(id);
            replyType = e.ErrorType;
        }
        catch (Exception e)
        {
            if (e is RequestException undeclared) Log.UndeclaredRequestError(_logger, type, context.ConnectionId, undeclared.ErrorType);
            else Log.RequestHandlerFailed(_logger, type, id, context.ConnectionId, e);
            context.Channel.Metrics.HandlerFailed(context.Channel.Transport, HandlerKinds.Request, type);
            ServerActivities.Failed(activity, e);
            reply = RequestFailure.Encode(id, RequestFailure.HandlerFailed, $"the handler of '{type}' failed; the server logged why");
            replyType = RequestFailure.Type;
        }
        finally
        {
            activity?.Dispose();
            // Before the reply goes: a client that sends its next request on the reply finds the slot free.
            Interlocked.Decrement(ref context.RequestsInFlight);
        }
        await ReplyAsync(context, type, id, reply, replyType).ConfigureAwait(false);
    }

    /// <summary>Sends a reply to the requesting connection alone; a connection that is gone gets nothing, and that is logged.</summary>
    private async ValueTask ReplyAsync(MessageContext context, string requestType, string id, EncodedMessage reply, string replyType)
    {
        try
        {
            await Fanout.Send(context.AsRecipients, except: -1, reply, replyType, dispose: true).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.ReplyFailed(_logger, requestType, id, context.ConnectionId, e);
        }
    }
#pragma warning restore CA1031

    /// <summary>One handler call and the response it returned.</summary>
    private sealed class RequestCall<TRequest, TResponse>(Func<MessageContext, TRequest, ValueTask<TResponse>> handler, TRequest request)
    {
        public TResponse? Response { get; private set; }

        public async ValueTask RunAsync(MessageContext context) => Response = await handler(context, request).ConfigureAwait(false);
    }
}
