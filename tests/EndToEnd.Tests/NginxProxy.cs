using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Switchboard.Testing;

namespace Switchboard.EndToEnd.Tests;

/// <summary>
/// Debian's nginx, run in the foreground (<c>-p dir -c conf -g 'daemon off;'</c>) with a configuration generated in a
/// temporary directory from docs/nginx/switchboard.conf, terminating HTTPS on a free 127.0.0.1 port with the tests'
/// throwaway certificate in front of one or more upstreams. Its pid file and logs stay in that directory; disposing stops it.
/// </summary>
internal sealed class NginxProxy : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/nginx";

    private readonly Process _process;
    private readonly string _directory;

    private NginxProxy(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>The port nginx listens on, with TLS, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The site's address as a browser sees it.</summary>
    public Uri HttpsUri(string path = "/") => new($"https://127.0.0.1:{Port}{path}");

    /// <summary>The error log so far: what to show when something went wrong.</summary>
    public string ErrorLog => ReadShared(Path.Combine(_directory, "error.log"));

    /// <summary>The access log so far.</summary>
    public string AccessLog => ReadShared(Path.Combine(_directory, "access.log"));

    /// <summary>
    /// Starts nginx in front of <paramref name="upstreamPorts"/> (one upstream server each) and waits (bounded) until its workers have started, which
    /// nginx logs after its listening socket is open. A port taken between being picked and being bound is tried again.
    /// </summary>
    public static async Task<NginxProxy> StartAsync(params int[] upstreamPorts)
    {
        if (!File.Exists(Executable)) throw new FileNotFoundException("nginx is not installed (scripts/test.sh installs the Debian package)", Executable);
        for (var attempt = 1; ; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("switchboard-nginx-").FullName;
            var port = FreePort();
            WriteFiles(directory, port, upstreamPorts);
            var (process, started, log) = await LaunchAsync(directory);
            if (started) return new NginxProxy(process, directory, port);
            process.Dispose();
            var inUse = log.Contains("Address already in use", StringComparison.Ordinal);
            Directory.Delete(directory, recursive: true);
            if (!inUse || attempt == 3) throw new InvalidOperationException($"nginx did not start:\n{log}");
        }
    }

    /// <summary>The main configuration around the documented site text, with every path in <paramref name="directory"/>.</summary>
    private static void WriteFiles(string directory, int port, int[] upstreamPorts)
    {
        var certificate = TlsCertificate.Certificate;
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the test certificate has no ECDSA key"))
        {
            File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        }

        var site = File.ReadAllText(TemplatePath)
            // The template's one "server {{upstream}};" line becomes one line per upstream.
            .Replace("{{upstream}}", string.Join(";\n    server ", upstreamPorts.Select(p => $"127.0.0.1:{p}")), StringComparison.Ordinal)
            .Replace("{{listen}}", $"127.0.0.1:{port}", StringComparison.Ordinal)
            .Replace("{{server_name}}", "localhost", StringComparison.Ordinal)
            .Replace("{{certificate}}", Path.Combine(directory, "cert.pem"), StringComparison.Ordinal)
            .Replace("{{certificate_key}}", Path.Combine(directory, "key.pem"), StringComparison.Ordinal);
        if (site.Contains("{{", StringComparison.Ordinal)) throw new InvalidOperationException($"{TemplatePath} has a placeholder the test does not fill");

        var main = $$"""
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log notice;
            error_log stderr notice;
            worker_processes 1;
            events { worker_connections 256; }
            http {
                access_log {{directory}}/access.log;
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
            {{site}}
            }
            """;
        File.WriteAllText(Path.Combine(directory, "nginx.conf"), main);
    }

    /// <summary>docs/nginx/switchboard.conf, found from the test assembly's directory up to the repository root.</summary>
    public static string TemplatePath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "docs", "nginx", "switchboard.conf");
                if (File.Exists(Path.Combine(dir.FullName, "Sdk.sln")) && File.Exists(path)) return path;
            }
            throw new FileNotFoundException("docs/nginx/switchboard.conf not found above the test assembly");
        }
    }

    private static async Task<(Process Process, bool Started, string Log)> LaunchAsync(string directory)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-p", directory, "-e", Path.Combine(directory, "error.log"), "-c", Path.Combine(directory, "nginx.conf"), "-g", "daemon off;"])
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start nginx");
        var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new List<string>();
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (lines) lines.Add(line);
            // Logged by the master once it has bound its sockets and forks its workers.
            if (line.Contains("start worker process", StringComparison.Ordinal)) ready.TrySetResult(true);
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => ready.TrySetResult(false);
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        bool started;
        try
        {
            started = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            started = false;
        }
        if (!started) await StopAsync(process);
        string log;
        lock (lines) log = string.Join('\n', lines);
        return (process, started, log + "\n" + ReadShared(Path.Combine(directory, "error.log")));
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static string ReadShared(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Fast shutdown (SIGTERM would be nicer, but the master and its worker go together either way), bounded.</summary>
    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException) { }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_process);
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
