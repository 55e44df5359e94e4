using System.Runtime.InteropServices;
using static Netkit.Core.Sockets.LinuxMultiMessage;

namespace Netkit.Core.Udp;

/// <summary>
/// The native memory one batching loop reuses for every batch: message headers for receiving and
/// for replying, their iovecs, the senders' addresses and small receive buffers (a time request's
/// content does not matter, only that it came). Allocated once, freed when the loop ends.
/// </summary>
internal sealed unsafe class BatchBuffers : IDisposable
{
    public const int Count = 64;
    public const int AddressSize = 128; // sizeof(struct sockaddr_storage)
    public const int RequestSize = 512;

    private readonly void* _block;

    public BatchBuffers()
    {
        var size = (2 * Count * sizeof(MultiMessageHeader)) + (2 * Count * sizeof(IoVec)) + (Count * AddressSize) + (Count * RequestSize) + (Count * 4);
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
        var requests = p;
        p += Count * RequestSize;
        ReplyBytes = p;

        for (var i = 0; i < Count; i++)
        {
            receiveIov[i] = new IoVec { Base = requests + (i * RequestSize), Length = RequestSize };
            replyIov[i] = new IoVec { Base = ReplyBytes + (i * 4), Length = 4 };
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
