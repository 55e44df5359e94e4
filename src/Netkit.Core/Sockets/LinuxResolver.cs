using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Netkit.Core.Sockets;

/// <summary>
/// Names to addresses through glibc's getaddrinfo(3) directly, as the runtime's Dns does underneath,
/// but without its tracing: Dns starts an Activity per lookup, which makes the Linux binary carry
/// all of System.Diagnostics.DiagnosticSource (some 40 KB). Blocking: callers run it on the pool.
/// getaddrinfo's errors become the SocketErrors Dns would have raised.
/// </summary>
internal static unsafe partial class LinuxResolver
{
    private const int SockStream = 1;
    private const int AfInet = 2;
    private const int AfInet6 = 10;

    /// <summary>Every address <paramref name="host"/> resolves to, in the resolver's order; throws <see cref="SocketException"/>.</summary>
    public static IPAddress[] Resolve(string host)
    {
        // One entry per address: without a socket type each comes once per type (stream, datagram, raw).
        var hints = new AddrInfo { SockType = SockStream };
        AddrInfo* result = null;
        var code = GetAddrInfo(host, null, &hints, &result);
        if (code != 0)
        {
            throw new SocketException((int)Map(code));
        }

        try
        {
            var addresses = new List<IPAddress>();
            for (var entry = result; entry != null; entry = entry->Next)
            {
                var sockaddr = new ReadOnlySpan<byte>(entry->Addr, (int)entry->AddrLength);
                IPAddress? address = entry->Family switch
                {
                    AfInet when sockaddr.Length >= 8 => new IPAddress(sockaddr.Slice(4, 4)),
                    AfInet6 when sockaddr.Length >= 28 => new IPAddress(sockaddr.Slice(8, 16), BitConverter.ToUInt32(sockaddr.Slice(24, 4))),
                    _ => null,
                };
                if (address is not null && !addresses.Contains(address))
                {
                    addresses.Add(address);
                }
            }

            return [.. addresses];
        }
        finally
        {
            FreeAddrInfo(result);
        }
    }

    // glibc's EAI_* codes, as the SocketError the runtime reports for each.
    private static SocketError Map(int code) => code switch
    {
        -2 => SocketError.HostNotFound,          // EAI_NONAME
        -3 => SocketError.TryAgain,              // EAI_AGAIN
        -4 => SocketError.NoRecovery,            // EAI_FAIL
        -5 => SocketError.NoData,                // EAI_NODATA
        -6 => SocketError.AddressFamilyNotSupported, // EAI_FAMILY
        -10 => SocketError.NoBufferSpaceAvailable,   // EAI_MEMORY
        _ => SocketError.HostNotFound,
    };

    [StructLayout(LayoutKind.Sequential)]
    private struct AddrInfo
    {
        public int Flags;
        public int Family;
        public int SockType;
        public int Protocol;
        public uint AddrLength;
        public byte* Addr;
        public byte* CanonicalName;
        public AddrInfo* Next;
    }

    [LibraryImport("libc", EntryPoint = "getaddrinfo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int GetAddrInfo(string node, byte* service, AddrInfo* hints, AddrInfo** result);

    [LibraryImport("libc", EntryPoint = "freeaddrinfo")]
    private static partial void FreeAddrInfo(AddrInfo* list);
}
