using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Server.Admission;

/// <summary>
/// Who a connection counts against for <see cref="WebSocketServerOptions.MaxConnectionsPerAddress"/>: an IPv4 address
/// (an IPv4-mapped IPv6 address is the IPv4 address it maps), or an IPv6 /64 prefix, since one host or home network is
/// routinely given a whole /64 and could otherwise spread its connections over as many addresses as it likes. A value,
/// made without allocating.
/// </summary>
internal readonly record struct ClientAddress(UInt128 Value)
{
    private static readonly UInt128 Low64 = ulong.MaxValue;

    /// <summary>The key of <paramref name="remote"/>; every end point that is not an IP one shares one key.</summary>
    public static ClientAddress Of(EndPoint? remote)
    {
        if (remote is not IPEndPoint { Address: var address }) return default;
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            // The IPv4-mapped form, ::ffff:a.b.c.d, so that a dual-mode socket's view of the same client is the same key.
            bytes[..10].Clear();
            bytes[10] = 0xff;
            bytes[11] = 0xff;
            if (!address.TryWriteBytes(bytes[12..], out _)) return default;
            return new ClientAddress(BinaryPrimitives.ReadUInt128BigEndian(bytes));
        }
        if (!address.TryWriteBytes(bytes, out _)) return default;
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return new ClientAddress(address.IsIPv4MappedToIPv6 ? value : value & ~Low64);
    }
}
