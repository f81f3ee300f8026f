namespace Switchboard.Soak;

/// <summary>What Linux's /proc says about another process.</summary>
internal static class ProcStats
{
    /// <summary>The sockets the process holds open (its listener included), or -1 when /proc cannot be read.</summary>
    public static int SocketCount(int pid)
    {
        try
        {
            var count = 0;
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:", StringComparison.Ordinal)) count++;
            }
            return count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
