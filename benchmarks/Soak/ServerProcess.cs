using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchboard.Soak;

/// <summary>
/// A server (samples/Chat, or benchmarks/Peers/SwitchboardBroadcast for the multi-node run; both built beside this tool)
/// as its own process on a free port, so that the memory measured is the server's alone: its resident set comes from
/// <c>/proc/PID/status</c>.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _tail = new();

    private ServerProcess(Process process)
    {
        _process = process;
        Id = process.Id; // kept: the process object forgets it once disposed
    }

    public int Port { get; private set; }

    public int Id { get; }

    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true; // disposed: it was stopped
            }
        }
    }

    /// <summary>The last lines the server printed, for a report on failure.</summary>
    public string Tail
    {
        get { lock (_tail) return string.Join('\n', _tail); }
    }

    /// <summary>
    /// Starts the server <paramref name="chatDll"/> on <paramref name="port"/> (0: a free one), with
    /// <paramref name="arguments"/> after its port, and waits, bounded, until it listens.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string chatDll, int port = 0, IReadOnlyList<string>? arguments = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(chatDll)!,
        };
        info.ArgumentList.Add(chatDll);
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        foreach (var argument in arguments ?? []) info.ArgumentList.Add(argument);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var server = new ServerProcess(process);
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (server._tail)
            {
                server._tail.Enqueue(line);
                if (server._tail.Count > 40) server._tail.Dequeue();
            }
            var match = ListeningLine().Match(line);
            if (match.Success) listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("the server exited before listening:\n" + server.Tail));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            server.Port = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>The server's resident set in bytes (VmRSS), or -1 when it cannot be read.</summary>
    public long ResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Id}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (?:https?|ws)://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}

/// <summary>The chat server process of the moment: a restart replaces it with a new one on the same port.</summary>
internal sealed class ServerSlot(ServerProcess first, string chatDll, IReadOnlyList<string>? arguments = null) : IAsyncDisposable
{
    private ServerProcess _current = first;
    private int _restarts;
    private bool _down;

    public ServerProcess Current => Volatile.Read(ref _current);

    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Whether the server is killed and not started again yet (<see cref="KillAsync"/>).</summary>
    public bool IsDown => Volatile.Read(ref _down);

    /// <summary>Kills the server (a crash: no close frames, no goodbyes) and starts another on the same port.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        await StartAgainAsync();
    }

    /// <summary>Kills the server with SIGKILL; <see cref="StartAgainAsync"/> starts another on its port.</summary>
    public async Task KillAsync()
    {
        Volatile.Write(ref _down, true);
        await Current.DisposeAsync();
    }

    /// <summary>Starts a server on the port of the one <see cref="KillAsync"/> killed.</summary>
    public async Task StartAgainAsync()
    {
        var old = Current;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Volatile.Write(ref _current, await ServerProcess.StartAsync(chatDll, old.Port, arguments));
                Interlocked.Increment(ref _restarts);
                Volatile.Write(ref _down, false);
                return;
            }
            catch (InvalidOperationException) when (attempt < 20)
            {
                await Task.Delay(250); // the port may not be free again yet
            }
        }
    }

    public ValueTask DisposeAsync() => Current.DisposeAsync();
}
