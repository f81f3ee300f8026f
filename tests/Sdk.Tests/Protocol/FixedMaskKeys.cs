using Switchboard.Protocol.Connection;

namespace Switchboard.Tests.Protocol;

/// <summary>Always the RFC 6455 section 5.7 example key, 37 FA 21 3D, so a client's frames are literal bytes.</summary>
internal sealed class FixedMaskKeys : MaskKeySource
{
    public const uint Key = 0x3D21FA37;

    public static FixedMaskKeys Instance { get; } = new();

    public override uint NextKey() => Key;
}
