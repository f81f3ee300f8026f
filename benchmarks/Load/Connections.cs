using Switchboard.Benchmarks.Load.Wire;

namespace Switchboard.Benchmarks.Load;

/// <summary>Opening and closing many connections at once, a bounded number at a time.</summary>
internal static class Connections
{
    /// <summary>How long one connection may take to connect and upgrade before it counts as failed.</summary>
    private static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opens <paramref name="count"/> connections, at most <paramref name="parallel"/> handshakes at a time. Failed
    /// opens are null in the result (with their reasons counted in <paramref name="failures"/>).
    /// </summary>
    public static Task<LoadConnection?[]> OpenAsync(CommonSettings settings, int count, int parallel, Dictionary<string, int> failures,
        CancellationToken cancellationToken)
        => OpenAsync(settings, settings.Target, count, parallel, failures, cancellationToken);

    /// <summary>As the other overload, to <paramref name="target"/>: one of the settings' nodes.</summary>
    public static async Task<LoadConnection?[]> OpenAsync(CommonSettings settings, Target target, int count, int parallel, Dictionary<string, int> failures,
        CancellationToken cancellationToken, string? extensions = null)
    {
        var handshake = new ClientHandshake(target.HostHeader, target.Port, target.Path, extensions);
        var result = new LoadConnection?[count];
        using var gate = new SemaphoreSlim(parallel);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(OpenTimeout);
                result[i] = await LoadConnection.OpenAsync(target, handshake, settings.Sources.Next(), timeout.Token);
            }
            catch (Exception e) when (e is ConnectFailedException or OperationCanceledException)
            {
                var reason = e is ConnectFailedException ? e.Message : $"no handshake within {OpenTimeout.TotalSeconds:0} s";
                lock (failures) failures[reason] = failures.GetValueOrDefault(reason) + 1;
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        await Task.WhenAll(tasks);
        return result;
    }

    /// <summary>Closes every connection with the closing handshake, in parallel, then drops what is left.</summary>
    public static async Task CloseAllAsync(IEnumerable<LoadConnection?> connections, TimeSpan timeout)
    {
        var open = connections.OfType<LoadConnection>().ToList();
        await Task.WhenAll(open.Select(c => c.CloseAsync(timeout)));
        foreach (var connection in open) connection.Dispose();
    }

    /// <summary>Records how many of <paramref name="open"/> negotiated permessage-deflate, and notes those that did not when it was <paramref name="offered"/>.</summary>
    public static void NoteDeflate(Result result, IReadOnlyCollection<LoadConnection> open, bool offered)
    {
        var negotiated = open.Count(c => c.Deflate);
        result["deflateConnections"] = negotiated;
        if (offered && negotiated < open.Count) result.Notes.Add($"{open.Count - negotiated} of {open.Count} connections without permessage-deflate");
    }

    public static void NoteFailures(Result result, Dictionary<string, int> failures)
    {
        foreach (var (reason, count) in failures) result.Notes.Add($"{count} x {reason}");
    }
}
