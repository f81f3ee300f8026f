using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Switchboard.Testing;

/// <summary>A self-signed certificate for 127.0.0.1 and localhost, made once per test run, and a callback that pins it.</summary>
internal static class TlsCertificate
{
    private static readonly Lazy<X509Certificate2> Instance = new(Create);

    public static X509Certificate2 Certificate => Instance.Value;

    /// <summary>Server options serving <see cref="Certificate"/>.</summary>
    public static SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificate = Certificate,
        ApplicationProtocols = [SslApplicationProtocol.Http11],
    };

    /// <summary>Accepts exactly <see cref="Certificate"/>, whatever the chain says.</summary>
    public static bool Pinned(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == Certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // An ephemeral key cannot be used by SslStream on Linux; a round trip through PKCS#12 gives it a usable one.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
