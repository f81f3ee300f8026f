using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Switchboard.Messaging;

namespace Switchboard.Client;

/// <summary>The requests of a client that wait for their reply, by <c>id</c>. Thread-safe.</summary>
internal sealed class PendingRequests
{
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private long _next;

    /// <summary>How many requests wait.</summary>
    public int Count => _pending.Count;

    /// <summary>A request id unique in the client.</summary>
    public string NextId() => "r" + Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Registers a request that waits for a <typeparamref name="TResponse"/>.</summary>
    public Pending<TResponse> Add<TResponse>(string id, IRequest<TResponse> request, string requestType) where TResponse : IMessage<TResponse>
    {
        var pending = new Pending<TResponse>(id, requestType, request);
        _pending[id] = pending;
        return pending;
    }

    /// <summary>Forgets a request that completed, timed out or was canceled.</summary>
    public void Remove(string id) => _pending.TryRemove(id, out _);

    /// <summary>Completes the request a reply answers; false when no request waits for its id.</summary>
    public bool TryComplete(string id, in EnvelopeHeader header, ReadOnlySequence<byte> payload)
    {
        if (!_pending.TryRemove(id, out var pending)) return false;
        pending.Complete(header, payload);
        return true;
    }

    /// <summary>Fails every waiting request: the connection that carried them is gone.</summary>
    public void FailAll(string reason)
    {
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var pending))
                pending.Fail(new RequestFailedException(pending.RequestType, RequestFailure.ConnectionLost, reason));
        }
    }

    /// <summary>One request that waits.</summary>
    internal abstract class Pending(string id, string requestType)
    {
        public string Id { get; } = id;

        public string RequestType { get; } = requestType;

        public abstract void Complete(in EnvelopeHeader header, ReadOnlySequence<byte> payload);

        public abstract void Fail(Exception exception);
    }

    /// <summary>A request that waits for a <typeparamref name="TResponse"/>.</summary>
    internal sealed class Pending<TResponse>(string id, string requestType, IRequest<TResponse> request) : Pending(id, requestType)
        where TResponse : IMessage<TResponse>
    {
        private readonly TaskCompletionSource<TResponse> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<TResponse> Reply => _reply.Task;

        public override void Fail(Exception exception) => _reply.TrySetException(exception);

        public override void Complete(in EnvelopeHeader header, ReadOnlySequence<byte> payload)
        {
            var data = header.Data(payload);
            try
            {
                if (header.Type == TResponse.MessageType)
                {
                    var reader = new Utf8JsonReader(data);
                    _reply.TrySetResult(TResponse.Read(ref reader));
                    return;
                }

                if (header.Type == RequestFailure.Type)
                {
                    _reply.TrySetException(RequestFailure.TryRead(data, out var code, out var message)
                        ? new RequestFailedException(RequestType, code, message)
                        : new RequestFailedException(RequestType, RequestFailure.InvalidReply, $"the '{RequestFailure.Type}' reply has no string \"code\" and \"message\""));
                    return;
                }

                var errorReader = new Utf8JsonReader(data);
                _reply.TrySetException(request.ReadError(header.Type, ref errorReader) is { } error
                    ? new RequestFailedException(RequestType, header.Type, error)
                    : new RequestFailedException(RequestType, RequestFailure.InvalidReply,
                        $"the reply '{header.Type}' is neither the response '{TResponse.MessageType}' nor an error the request declares"));
            }
            catch (MessageFormatException e)
            {
                _reply.TrySetException(new RequestFailedException(RequestType, RequestFailure.InvalidReply, e.Message, e));
            }
        }
    }
}
