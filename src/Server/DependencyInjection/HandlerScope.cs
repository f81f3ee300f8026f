using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Server.DependencyInjection;

/// <summary>
/// Runs one handler call of a typed endpoint in a service scope of its own, and tells
/// <see cref="MessageContext.Services"/> which scope that is.
/// </summary>
/// <remarks>
/// The running call is kept in an <see cref="AsyncLocal{T}"/> with its connection rather than in a field of the
/// connection's <see cref="MessageContext"/>: a connection's messages are handled one at a time, but its disconnected
/// hook can start while a message handler still runs (a long-polling session deleted or expired during a send), and
/// each must keep seeing its own scope. The async-local follows the call's awaits and nothing else; it is set only
/// when the endpoint has services.
/// </remarks>
internal static class HandlerScope
{
    private static readonly AsyncLocal<Call?> s_current = new();

    /// <summary>
    /// Calls <paramref name="call"/> with a new scope from <paramref name="scopes"/>, and disposes the scope once the
    /// call's task has completed, whether it succeeded or threw.
    /// </summary>
    public static async ValueTask RunAsync<TState>(
        IServiceScopeFactory scopes, MessageContext context, TState state, Func<MessageContext, TState, ValueTask> call)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            s_current.Value = new Call(context, scope.ServiceProvider);
            await call(context, state).ConfigureAwait(false);
        }
        finally
        {
            // Cleared before disposal: what the scope's services do while they are disposed cannot resolve from it.
            s_current.Value = null;
            await scope.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The scope of the handler call of <paramref name="context"/> that is running in this flow, or null.</summary>
    public static IServiceProvider? Of(MessageContext context)
        => s_current.Value is { } call && ReferenceEquals(call.Context, context) ? call.Services : null;

    private sealed record Call(MessageContext Context, IServiceProvider Services);
}
