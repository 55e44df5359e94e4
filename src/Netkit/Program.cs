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
return await Netkit.Cli.NetkitCli.RunAsync(args, StandardOutput.OpenText(), stderr);
