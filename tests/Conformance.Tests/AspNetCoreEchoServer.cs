namespace Switchboard.Conformance.Tests;

/// <summary>One real <c>Echo --host aspnetcore</c> process per test class: the same echo, hosted in ASP.NET Core (Kestrel).</summary>
public sealed class AspNetCoreEchoServer : EchoServer
{
    public override string Host => "aspnetcore";
}
