using System.Globalization;

namespace Switchboard.Benchmarks.Load;

/// <summary>
/// What Linux says about a process under /proc: CPU time (utime + stime of /proc/PID/stat, in clock ticks of
/// 1/100 s, the USER_HZ of every mainstream kernel), resident memory (VmRSS of /proc/PID/status) and which process
/// listens on a TCP port (/proc/net/tcp, then the socket inode among /proc/*/fd).
/// </summary>
internal static class ProcStats
{
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds the process has used, user and system; NaN when it is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>Resident set size in bytes; NaN when the process is gone.</summary>
    public static double ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024.0;
            }
        }
        catch (IOException)
        {
        }
        return double.NaN;
    }

    /// <summary>The process listening on TCP <paramref name="port"/> (IPv4 or IPv6), or null if none can be seen.</summary>
    public static int? FindListener(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                // local_address is ADDR:PORT in hex; state 0A is LISTEN; inode is field 10.
                if (f.Length < 10 || f[3] != "0A") continue;
                var local = f[1];
                if (int.Parse(local[(local.IndexOf(':', StringComparison.Ordinal) + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port)
                    inodes.Add($"socket:[{f[9]}]");
            }
        }
        if (inodes.Count == 0) return null;

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                foreach (var fd in Directory.EnumerateFiles($"{dir}/fd"))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target)) return pid;
                }
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                // Another user's process, or one that just ended.
            }
        }
        return null;
    }
}
