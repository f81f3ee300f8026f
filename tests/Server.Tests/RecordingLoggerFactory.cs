using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Switchboard.Server.Tests;

/// <summary>Keeps every log event written through it, for tests that assert what was logged.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(EventId Id, LogLevel Level, string Message)> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner.Events.Enqueue((eventId, logLevel, formatter(state, exception)));
    }
}
