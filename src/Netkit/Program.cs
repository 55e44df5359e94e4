using Netkit.Output;

// Before anything opens a file or a socket: a closed stdout must not become one of ours.
StandardDescriptors.Reserve();

// Socket completions run on the epoll thread instead of hopping to the thread pool: the hop costs
// most of a small round trip (measured 2.5x on ping-pong). Safe by construction, because nothing a
// completion reaches can block: the logger drops rather than waits (DropWrite, and a stderr that
// never blocks, below), operator words are handed over through WordRequests whose continuations
// run on the pool, and console and stdin reads run on their own threads. A user can still set 0.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

// That is also why stderr must never block: see LineQueueWriter. Installed before any logger.
var stderr = LineQueueWriter.InstallAsStderr();

// The console logger takes Console.Out too (for lines below its stderr threshold: none), and the
// runtime's first Console.Out initialises its terminal support, which writes the keypad-transmit
// sequence ESC[?1h ESC= to a terminal and never takes it back. Ours is set first, so it never runs.
var stdout = StandardOutput.OpenText();
Console.SetOut(stdout);
return await Netkit.Cli.NetkitCli.RunAsync(args, stdout, stderr);
