using System.Net;
using Microsoft.Extensions.Logging;
using Netkit.Core.Diagnostics;
using Netkit.Core.Sockets;

namespace Netkit.Core.Tcp;

/// <summary>
/// Accepts on an <see cref="EventLoop"/>: the listening socket is one more descriptor in that loop's
/// epoll, and each readiness accepts what is queued (up to <see cref="Batch"/> at a time, so serving
/// goes on during a flood of connects) straight into descriptors, without a .NET socket per client.
/// What to do with each one is the server's call (<c>admit</c>: admission, the connection, its loop).
/// When accept fails for want of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) the listener
/// rests for <see cref="Pause"/> instead of spinning on a queue it cannot take from; other errors
/// (a connection reset while queued) are logged and accepting goes on. Everything but
/// <see cref="Start"/> and <see cref="Stop"/> runs on the loop's thread.
/// </summary>
internal sealed class LoopAcceptor
{
    /// <summary>Connections taken per readiness before the loop serves others again.</summary>
    public const int Batch = 64;

    /// <summary>How long the listener rests after accept ran out of descriptors or memory.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);

    private readonly EventLoop _loop;
    private readonly int _listener;
    private readonly bool _exclusive;
    private readonly Func<int, IPAddress, int, bool> _admit;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Notes _notes;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IPAddress? _lastPeer;
    private ITimer? _resume;
    private bool _watching;
    private bool _stopping;

    /// <param name="loop">The loop that accepts.</param>
    /// <param name="listener">The listening socket's descriptor, non-blocking; its owner closes it after <see cref="Stopped"/>.</param>
    /// <param name="exclusive">True when other loops accept on the same listener: epoll wakes only one of them per connection (EPOLLEXCLUSIVE).</param>
    /// <param name="admit">Called for each accepted descriptor with the peer's address and port (on the loop); it owns
    /// the descriptor from then on. False: accept no more (<c>--once</c> has its client).</param>
    /// <param name="logger">Where accept failures are told.</param>
    /// <param name="time">The clock of the pause.</param>
    /// <param name="notes">Shared by the acceptors of one listener: a failure is told once per pause, not once per loop.</param>
    public LoopAcceptor(EventLoop loop, int listener, bool exclusive, Func<int, IPAddress, int, bool> admit, ILogger logger, TimeProvider time, Notes notes)
    {
        _notes = notes;
        _loop = loop;
        _listener = listener;
        _exclusive = exclusive;
        _admit = admit;
        _logger = logger;
        _time = time;
        loop.Acceptor = this;
    }

    /// <summary>Done when the listener has left the loop for good: after <see cref="Stop"/>, or when admit said no more.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Starts accepting. Any thread.</summary>
    public void Start() => _loop.Post(null, LoopCommand.Listen);

    /// <summary>Stops accepting; <see cref="Stopped"/> completes once the loop let go of the listener. Any thread.</summary>
    public void Stop() => _loop.Post(null, LoopCommand.StopListening);

    /// <summary>On the loop: watch the listener (first start, or the end of a pause).</summary>
    public void Listen()
    {
        _resume?.Dispose();
        _resume = null;
        if (_stopping || _watching)
        {
            return;
        }

        if (!_loop.WatchListener(_listener, true, _exclusive))
        {
            // epoll refuses the listener itself: nothing can be accepted, which the server must hear.
            Log.AcceptFailed(_logger, "epoll refused the listening socket");
            StopListening();
            return;
        }

        _watching = true;
    }

    /// <summary>On the loop: the listener is readable, connections are queued.</summary>
    public void OnReadable()
    {
        for (var i = 0; i < Batch && _watching; i++)
        {
            var fd = LinuxStreamSocket.Accept(_listener, _lastPeer, out var peer, out var port, out var errno);
            if (fd < 0)
            {
                switch (errno)
                {
                    case LinuxStreamSocket.Eagain:
                        return;
                    case LinuxStreamSocket.Eintr:
                        continue;
                    case 24 or 23 or 105 or 12: // EMFILE, ENFILE, ENOBUFS, ENOMEM
                        Failed(errno);
                        Rest();
                        return;
                    default:
                        Failed(errno);
                        continue;
                }
            }

            _lastPeer = peer;
            if (!_admit(fd, peer, port))
            {
                StopListening();
                return;
            }
        }
    }

    /// <summary>On the loop: the listener leaves epoll for good.</summary>
    public void StopListening()
    {
        _stopping = true;
        _resume?.Dispose();
        _resume = null;
        Unwatch();
        _stopped.TrySetResult();
    }

    private void Failed(int errno)
    {
        if (_notes.Due(_time))
        {
            Log.AcceptFailed(_logger, SocketErrors.Describe(LinuxStreamSocket.Error(errno)));
        }
    }

    private void Rest()
    {
        Unwatch();
        _resume = _time.CreateTimer(static state => ((LoopAcceptor)state!).Start(), this, Pause, Timeout.InfiniteTimeSpan);
    }

    private void Unwatch()
    {
        if (_watching)
        {
            _ = _loop.WatchListener(_listener, false, _exclusive);
            _watching = false;
        }
    }

    /// <summary>When the acceptors of one listener last told of a failure: at most once per <see cref="Pause"/>.</summary>
    internal sealed class Notes
    {
        private long _last = long.MinValue;

        /// <summary>True when a failure may be told now (and is then counted as told). Any thread.</summary>
        public bool Due(TimeProvider time)
        {
            var now = time.GetTimestamp();
            var last = Volatile.Read(ref _last);
            return (last == long.MinValue || time.GetElapsedTime(last, now) >= Pause)
                && Interlocked.CompareExchange(ref _last, now, last) == last;
        }
    }
}
