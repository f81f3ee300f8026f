using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Switchboard.Testing;

namespace Switchboard.Server.Tests;

/// <summary>One event as a logger saw it.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() => $"{Category} {Level} {EventId.Id}/{EventId.Name}: {Message}";
}

/// <summary>
/// An in-memory <see cref="ILoggerFactory"/> (and <see cref="ILoggerProvider"/>) that keeps every event at every level,
/// for asserting what the server logs through its public logging hooks. Thread-safe.
/// </summary>
internal sealed class LogRecorder : ILoggerFactory, ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly Changes _recorded = new();

    /// <summary>Runs on the logging thread for every event, before it is recorded; may block to hold that thread.</summary>
    public Action<LogEntry>? OnLog { get; set; }

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the recorder is its own only provider");

    public void Dispose()
    {
    }

    /// <summary>The events with <paramref name="eventId"/> recorded so far.</summary>
    public LogEntry[] Find(int eventId, string category) =>
        [.. _entries.Where(e => e.EventId.Id == eventId && string.Equals(e.Category, category, StringComparison.Ordinal))];

    /// <summary>Waits, bounded, for an event with <paramref name="eventId"/> in <paramref name="category"/>, and returns the first.</summary>
    public async Task<LogEntry> WaitForAsync(int eventId, string category)
    {
        await _recorded.UntilAsync(
            () => Find(eventId, category).Length > 0,
            () => $"an event {eventId} in {category}; recorded:{Environment.NewLine}{string.Join(Environment.NewLine, _entries)}");
        return Find(eventId, category)[0];
    }

    private void Add(LogEntry entry)
    {
        OnLog?.Invoke(entry);
        _entries.Enqueue(entry);
        _recorded.Pulse();
    }

    private sealed class RecordingLogger(LogRecorder recorder, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => recorder.Add(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
