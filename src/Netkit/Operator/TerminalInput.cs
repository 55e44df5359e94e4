using System.Runtime.InteropServices;
using Netkit.Core.Tcp;
using Netkit.Native;

namespace Netkit.Operator;

/// <summary>
/// Lines typed on the terminal that is netkit's stdin, read only while netkit is in that terminal's
/// foreground process group. A background process that reads its terminal is stopped by the kernel
/// (SIGTTIN): <c>netkit tcp-server &amp;</c> would sit in state T while clients wait. So the reader
/// waits in poll(2), which never stops a process, and calls read(2) only when a line is there and
/// netkit is in the foreground. It reads the descriptor itself rather than through Console, whose
/// reader changes the terminal's modes. With a <see cref="ConsoleScreen"/> the keys go to its line
/// editor (the terminal in key-at-a-time mode); without one the terminal's own line discipline
/// echoes and edits. One dedicated thread; lines arrive on a <see cref="HandOff{T}"/> that ends at
/// end of input (Ctrl+D).
/// </summary>
internal sealed class TerminalInput
{
    private const int StdinFd = 0;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private readonly HandOff<string> _lines = new();
    private readonly Action<bool> _foregroundChanged;
    private readonly ConsoleScreen? _screen;
    private readonly CancellationToken _stop;

    private TerminalInput(Action<bool> foregroundChanged, ConsoleScreen? screen, CancellationToken stop)
    {
        _foregroundChanged = foregroundChanged;
        _screen = screen;
        _stop = stop;
    }

    /// <summary>
    /// Starts reading. <paramref name="foregroundChanged"/> is called with the first state (true:
    /// in the foreground) and at every change, on the reader's thread.
    /// </summary>
    public static HandOff<string> Start(Action<bool> foregroundChanged, ConsoleScreen? screen, CancellationToken stop)
    {
        var input = new TerminalInput(foregroundChanged, screen, stop);
        var thread = new Thread(input.Run) { IsBackground = true, Name = "netkit operator input" };
        thread.Start();
        return input._lines;
    }

    private void Run()
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                // No job control there: a console read never stops the process.
                _foregroundChanged(true);
                while (!_stop.IsCancellationRequested && Console.In.ReadLine() is { } line)
                {
                    _lines.TryWrite(line);
                }

                return;
            }

            ReadUnix();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The terminal went away (Windows): that is the end of the operator's input.
        }
        finally
        {
            _screen?.Close();
            _lines.Complete();
        }
    }

    private void ReadUnix()
    {
        var buffer = new byte[4096];
        var pending = new List<byte>();
        bool? foreground = null;
        while (!_stop.IsCancellationRequested)
        {
            var now = IsForeground();
            if (now != foreground)
            {
                foreground = now;
                _foregroundChanged(now);
                if (!now)
                {
                    _screen?.Hide();
                }
            }

            if (!now)
            {
                _stop.WaitHandle.WaitOne(Tick);
                continue;
            }

            // Back from Ctrl+Z and fg, a client that started or stopped waiting: the line shows it.
            _screen?.Refresh();

            var wait = new Libc.PollFd { Fd = StdinFd, Events = Libc.PollIn };
            var ready = Libc.Poll(ref wait, 1, (int)Tick.TotalMilliseconds);
            if (ready == 0 || (ready < 0 && Marshal.GetLastPInvokeError() == Libc.Eintr))
            {
                continue;
            }

            // Moved to the background while waiting: reading now would stop netkit.
            if (ready > 0 && !IsForeground())
            {
                continue;
            }

            var read = (int)Libc.Read(StdinFd, buffer, (nuint)buffer.Length);
            if (read < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.Eintr || !IsForeground())
                {
                    continue;
                }

                break; // EIO, EBADF: the terminal is gone.
            }

            if (read == 0)
            {
                break; // Ctrl+D
            }

            if (_screen is null)
            {
                Split(buffer.AsSpan(0, read), pending);
            }
            else if (!_screen.Feed(buffer.AsSpan(0, read), _lines))
            {
                break; // Ctrl+D on an empty line
            }
        }

        if (pending.Count > 0)
        {
            _lines.TryWrite(TerminalLine.Decode(pending));
        }
    }

    private void Split(ReadOnlySpan<byte> bytes, List<byte> pending)
    {
        while (bytes.IndexOf((byte)'\n') is var newline and >= 0)
        {
            pending.AddRange(bytes[..newline]);
            _lines.TryWrite(TerminalLine.Decode(pending));
            pending.Clear();
            bytes = bytes[(newline + 1)..];
        }

        pending.AddRange(bytes);
    }

    /// <summary>True when netkit's process group owns the terminal on stdin (or it cannot be told: not a terminal).</summary>
    public static bool IsForeground()
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        var owner = Libc.TcGetPgrp(StdinFd);
        return owner < 0 || owner == Libc.GetPgrp();
    }
}
