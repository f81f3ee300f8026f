using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Testing;
using Xunit;

namespace Switchboard.Server.Tests.DependencyInjection;

/// <summary>
/// What the services of a test container went through, in order: the handlers write what they did with a scoped
/// <see cref="Tracked"/>, and each <see cref="Tracked"/> writes its disposal. Tests wait on it for the entry they need.
/// </summary>
internal sealed class ScopeLog
{
    private readonly ConcurrentQueue<string> _entries = new();
    private readonly Changes _changes = new();
    private int _lastId;

    public IReadOnlyList<string> Entries => [.. _entries];

    /// <summary>A container with this log as a singleton, a <see cref="Tracked"/> per scope and a <see cref="SharedService"/>.</summary>
    public ServiceProvider Container()
    {
        var services = new ServiceCollection();
        services.AddSingleton(this);
        services.AddSingleton<SharedService>();
        services.AddScoped(_ => new Tracked(this, Interlocked.Increment(ref _lastId)));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public void Add(string entry)
    {
        _entries.Enqueue(entry);
        _changes.Pulse();
    }

    public Task UntilAsync(string entry) =>
        _changes.UntilAsync(() => _entries.Contains(entry), () => $"'{entry}' in the log: {string.Join(" | ", _entries)}");

    /// <summary>Waits for an entry that starts with <paramref name="prefix"/>, and returns it.</summary>
    public async Task<string> FirstAsync(string prefix)
    {
        await _changes.UntilAsync(() => _entries.Any(e => e.StartsWith(prefix, StringComparison.Ordinal)),
            () => $"an entry '{prefix}…' in the log: {string.Join(" | ", _entries)}");
        return _entries.First(e => e.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>Waits for <paramref name="tracked"/>'s disposal and checks it came after <paramref name="use"/>, once.</summary>
    public async Task DisposedAfterAsync(string use, int tracked)
    {
        var disposed = $"disposed {tracked}";
        await UntilAsync(disposed);
        var entries = Entries.ToList();
        Assert.Single(entries, e => e == disposed);
        var used = entries.IndexOf(use);
        Assert.True(used >= 0 && used < entries.IndexOf(disposed), $"'{use}' before '{disposed}' in: {string.Join(" | ", entries)}");
    }
}

/// <summary>A scoped service that writes its disposal to the log.</summary>
internal sealed class Tracked(ScopeLog log, int id) : IAsyncDisposable
{
    private int _disposed;

    public int Id => id;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) log.Add($"disposed {id}");
        return ValueTask.CompletedTask;
    }
}

/// <summary>A singleton: the same instance wherever it is resolved.</summary>
internal sealed class SharedService;
