using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Switchboard.Testing;

/// <summary>
/// Runs a server program — a sample built beside the test assembly, or a third-party peer — as a real
/// child process on 127.0.0.1 with an OS-chosen port, and stops it on dispose.
/// </summary>
public sealed partial class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private SampleProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The port the sample reported it listens on.</summary>
    public int Port { get; }

    /// <summary>The operating system's id of the process, to read what it uses (e.g. /proc/ID/status).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Everything the process printed so far, for assertion messages.</summary>
    public string Output
    {
        get { lock (_output) return string.Join('\n', _output); }
    }

    /// <summary>A ws:// address on the sample for <paramref name="path"/>.</summary>
    public Uri WebSocketUri(string path = "/") => new($"ws://127.0.0.1:{Port}{path}");

    /// <summary>An http:// address on the sample for <paramref name="path"/>.</summary>
    public Uri HttpUri(string path = "/") => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>
    /// Starts <c>dotnet {assembly}.dll --port 0 {args}</c> and waits (bounded) for its
    /// "listening on ...:PORT" line.
    /// </summary>
    public static Task<SampleProcess> StartAsync(string assembly, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"sample {assembly} is not built beside the tests", dll);
        return StartProgramAsync("dotnet", [dll, "--port", "0", .. args]);
    }

    /// <summary>
    /// Starts any program that prints a "listening on ws://127.0.0.1:PORT" (or http://) line, and waits (bounded) for it;
    /// <paramref name="environment"/> adds to (or overrides) the variables it inherits.
    /// </summary>
    public static async Task<SampleProcess> StartProgramAsync(string fileName, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        info.Environment["PYTHONUNBUFFERED"] = "1";
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var name = $"{Path.GetFileName(fileName)} {string.Join(' ', info.ArgumentList.Select(Path.GetFileName))}";

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        var portFound = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (output) output.Add(line);
            var match = ListeningLine().Match(line);
            if (match.Success) portFound.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => portFound.TrySetException(new InvalidOperationException($"{name} exited before listening"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var port = await portFound.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var sample = new SampleProcess(process, port);
            lock (output) sample._output.AddRange(output);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (sample._output) sample._output.Add(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (sample._output) sample._output.Add(e.Data); };
            return sample;
        }
        catch (Exception e)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.Dispose();
            string text;
            lock (output) text = string.Join('\n', output);
            throw new InvalidOperationException($"{name} did not start: {e.Message}\n{text}", e);
        }
    }

    /// <summary>Waits, bounded by <paramref name="within"/>, for the process to exit by itself, and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>Stops the process (and anything it started) and waits for it, bounded.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException) { }
        catch (OperationCanceledException) { }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (?:wss?|https?)://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
