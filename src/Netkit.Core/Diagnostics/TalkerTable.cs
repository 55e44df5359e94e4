using System.Net;

namespace Netkit.Core.Diagnostics;

/// <summary>
/// Bytes and connections per peer address, for the top talkers of a server's stats. Bounded: past
/// <see cref="Capacity"/> addresses, new ones are added up as one "others" row, so a flood of
/// addresses costs no more memory than that. Any thread (one lock, taken once per closed connection).
/// </summary>
public sealed class TalkerTable
{
    /// <summary>Addresses kept one by one.</summary>
    public const int Capacity = 10_000;

    /// <summary>The address of the row that adds up the addresses past <see cref="Capacity"/>.</summary>
    public const string Others = "others";

    private readonly Dictionary<IPAddress, Talker> _byAddress = [];
    private readonly Lock _gate = new();
    private Talker _others;

    /// <summary>A closed connection from <paramref name="address"/> moved these bytes.</summary>
    public void Add(IPAddress address, long bytesIn, long bytesOut)
    {
        lock (_gate)
        {
            if (_byAddress.TryGetValue(address, out var talker) || _byAddress.Count < Capacity)
            {
                _byAddress[address] = talker.With(bytesIn, bytesOut);
            }
            else
            {
                _others = _others.With(bytesIn, bytesOut);
            }
        }
    }

    /// <summary>The <paramref name="count"/> addresses that moved the most bytes (in and out), with the live connections' bytes added.</summary>
    public IReadOnlyList<TalkerStats> Top(int count, IEnumerable<(IPAddress Address, long BytesIn, long BytesOut)> live)
    {
        Dictionary<string, Talker> all;
        lock (_gate)
        {
            all = new Dictionary<string, Talker>(_byAddress.Count + 1);
            foreach (var (address, talker) in _byAddress)
            {
                all[address.ToString()] = talker;
            }

            if (_others.Connections > 0)
            {
                all[Others] = _others;
            }
        }

        foreach (var (address, bytesIn, bytesOut) in live)
        {
            var key = address.ToString();
            all[key] = all.GetValueOrDefault(key).With(bytesIn, bytesOut);
        }

        var rows = new List<TalkerStats>(all.Count);
        foreach (var (address, talker) in all)
        {
            rows.Add(new TalkerStats(address, talker.Connections, talker.BytesIn, talker.BytesOut));
        }

        rows.Sort(static (a, b) => (b.BytesIn + b.BytesOut).CompareTo(a.BytesIn + a.BytesOut) is var order and not 0 ? order : string.CompareOrdinal(a.Address, b.Address));
        return rows.Count > count ? rows[..count] : rows;
    }

    private readonly record struct Talker(long Connections, long BytesIn, long BytesOut)
    {
        public Talker With(long bytesIn, long bytesOut) => new(Connections + 1, BytesIn + bytesIn, BytesOut + bytesOut);
    }
}

/// <summary>One address among a server's top talkers.</summary>
/// <param name="Address">The peer address, or <see cref="TalkerTable.Others"/>.</param>
/// <param name="Connections">Its connections so far, live ones included.</param>
/// <param name="BytesIn">Bytes received from it.</param>
/// <param name="BytesOut">Bytes sent to it.</param>
public sealed record TalkerStats(string Address, long Connections, long BytesIn, long BytesOut);
