using System.Diagnostics;
using System.Net;
using Names = Switchboard.Server.SwitchboardServerDiagnostics;

namespace Switchboard.Server.Diagnostics;

/// <summary>
/// The servers' spans (docs/observability.md), from one <see cref="ActivitySource"/> named
/// <see cref="SwitchboardServerDiagnostics.ActivitySourceName"/>. Each starts only when the source has a listener:
/// otherwise no activity, tag or string is made. Thread-safe.
/// </summary>
internal static class ServerActivities
{
    public static readonly ActivitySource Source = new(Names.ActivitySourceName, typeof(ServerActivities).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Starts the span of an opening request over <paramref name="transport"/>, or returns null when nothing listens.
    /// It is a root span: what ran before the request (the accept loop, an earlier request) is no parent of it.
    /// </summary>
    /// <remarks>Call it from the async method the span covers: clearing <see cref="Activity.Current"/> lasts as long as that method.</remarks>
    public static Activity? StartConnect(ServerTransport transport, EndPoint? remote)
    {
        if (!Source.HasListeners()) return null;
        Activity.Current = null;
        var activity = Source.StartActivity(Names.ConnectActivityName, ActivityKind.Server);
        if (activity is null) return null;
        activity.SetTag(Names.TransportTag, ServerMetrics.Name(transport));
        if (remote is IPEndPoint ip) activity.SetTag(Names.ClientAddressTag, ip.Address.ToString());
        return activity;
    }

    /// <summary>Ends an opening span with the answer: accepted (<paramref name="status"/> 101 or 200) or refused.</summary>
    public static void Answered(Activity? activity, string? route, int status)
    {
        if (activity is null) return;
        if (route is not null) activity.SetTag(Names.RouteTag, route);
        activity.SetTag(Names.StatusCodeTag, status);
        activity.SetTag(Names.OutcomeTag, status is 101 or 200 ? "accepted" : "refused");
        // As for HTTP server spans, a refusal of the client's request (4xx) is no error of the server's.
        if (status >= 500) activity.SetStatus(ActivityStatusCode.Error);
        activity.Dispose();
    }

    /// <summary>Starts the span of a message of <paramref name="type"/> dispatched to its handler, or returns null when nothing listens.</summary>
    /// <remarks>As <see cref="StartConnect"/>, a root span, to be started from the async method it covers.</remarks>
    public static Activity? StartMessage(string type, MessageContext context)
    {
        if (!Source.HasListeners()) return null;
        Activity.Current = null;
        var activity = Source.StartActivity(Names.MessageActivityName, ActivityKind.Consumer);
        if (activity is null) return null;
        activity.SetTag(Names.MessageTypeTag, type);
        activity.SetTag(Names.ConnectionIdTag, context.ConnectionId);
        activity.SetTag(Names.TransportTag, ServerMetrics.Name(context.Channel.Transport));
        return activity;
    }

    /// <summary>Marks a message span failed by the handler's <paramref name="exception"/>.</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.AddException(exception);
    }
}
