using System.Runtime.InteropServices;
using static Netkit.Core.Sockets.LinuxMultiMessage;

namespace Netkit.Core.Udp;

/// <summary>
/// The native memory one batching loop reuses for every batch: message headers for receiving and
/// for replying, their iovecs, the senders' addresses and small receive buffers (a 4-byte time request's
/// content does not matter; an SNTP request's first 48 bytes do). Allocated once, freed when the loop ends.
/// </summary>
internal sealed unsafe class BatchBuffers : IDisposable
{
    public const int Count = 64;
    public const int AddressSize = 128; // sizeof(struct sockaddr_storage)
    public const int RequestSize = 512;
    public const int ReplySize = TimeAnswer.MaxLength;

    private readonly void* _block;
    private readonly byte* _requests;

    public BatchBuffers()
    {
        var size = (2 * Count * sizeof(MultiMessageHeader)) + (2 * Count * sizeof(IoVec)) + (Count * AddressSize) + (Count * RequestSize) + (Count * ReplySize);
        _block = NativeMemory.AllocZeroed((nuint)size);
        var p = (byte*)_block;
        Received = (MultiMessageHeader*)p;
        p += Count * sizeof(MultiMessageHeader);
        Replies = (MultiMessageHeader*)p;
        p += Count * sizeof(MultiMessageHeader);
        var receiveIov = (IoVec*)p;
        p += Count * sizeof(IoVec);
        var replyIov = (IoVec*)p;
        p += Count * sizeof(IoVec);
        Addresses = p;
        p += Count * AddressSize;
        _requests = p;
        p += Count * RequestSize;
        ReplyBytes = p;

        for (var i = 0; i < Count; i++)
        {
            receiveIov[i] = new IoVec { Base = _requests + (i * RequestSize), Length = RequestSize };
            replyIov[i] = new IoVec { Base = ReplyBytes + (i * ReplySize), Length = ReplySize };
            Received[i].Header.Iov = &receiveIov[i];
            Received[i].Header.IovLength = 1;
            Replies[i].Header.Iov = &replyIov[i];
            Replies[i].Header.IovLength = 1;
        }
    }

    public MultiMessageHeader* Received { get; }

    public MultiMessageHeader* Replies { get; }

    public byte* Addresses { get; }

    public byte* ReplyBytes { get; }

    /// <summary>The content of received request <paramref name="i"/> (its first <see cref="RequestSize"/> bytes).</summary>
    public byte* RequestBytes(int i) => _requests + (i * RequestSize);

    /// <summary>Readies the receive headers for the next batch (the kernel overwrites name lengths).</summary>
    public void ResetReceived()
    {
        for (var i = 0; i < Count; i++)
        {
            Received[i].Header.Name = Addresses + (i * AddressSize);
            Received[i].Header.NameLength = AddressSize;
            Received[i].Header.Flags = 0;
            Received[i].Length = 0;
        }
    }

    public void Dispose() => NativeMemory.Free(_block);
}
