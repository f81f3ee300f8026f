namespace Switchboard.Server.Http;

/// <summary>What <see cref="HttpHeadScanner.Scan"/> concluded about the bytes received so far.</summary>
internal enum HeadScanStatus : byte
{
    /// <summary>Nothing breaks a rule yet, and the blank line has not arrived.</summary>
    Incomplete,

    /// <summary>A complete head that satisfies the syntax and every rule.</summary>
    Complete,

    /// <summary>The request line is malformed, or the first bytes cannot start one.</summary>
    InvalidRequestLine,

    /// <summary>No blank line within the byte cap.</summary>
    HeadersTooLarge,

    /// <summary>More field lines than the count cap.</summary>
    TooManyHeaders,

    /// <summary>A field line is malformed: a bare LF, folding, whitespace before the colon, a control character.</summary>
    InvalidHeader,

    /// <summary>The rules refused the request; they hold the reason.</summary>
    Rejected,
}
