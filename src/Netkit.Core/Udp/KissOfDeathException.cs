namespace Netkit.Core.Udp;

/// <summary>An SNTP server answered with a Kiss-o'-Death (stratum 0): DENY or RSTR (stop asking it),
/// RATE (ask less often), or another code; no time came with it.</summary>
public sealed class KissOfDeathException : Exception
{
    /// <summary>Creates the failure from the server and its four-letter code.</summary>
    public KissOfDeathException(string server, string code)
        : base($"{server} sent a Kiss-o'-Death {code}: " + code switch
        {
            "DENY" or "RSTR" => "it refuses to serve us; stop asking it",
            "RATE" => "we ask too often; ask less often",
            _ => "it gives no time",
        })
    {
        Code = code;
    }

    /// <summary>The code: <c>DENY</c>, <c>RSTR</c>, <c>RATE</c> or another.</summary>
    public string Code { get; }

    /// <summary>The server wants fewer requests; asking again later, less often, is allowed.</summary>
    public bool SlowDown => Code == "RATE";
}
