using System.CommandLine;
using Netkit.Cli;
using Netkit.Core.Sockets;
using Netkit.Output;

namespace Netkit.Commands;

/// <summary><c>netkit sockopts</c>: the socket options this platform has, with their defaults — the tutorial's <c>dir(socket)</c>.</summary>
internal static class SockoptsCommand
{
    public static Command Create()
    {
        var command = new Command("sockopts", "List the socket options netkit knows, their level, the netkit flag that sets each, and the value on a fresh TCP and UDP socket (unsupported: this platform lacks it).");
        var json = CommonOptions.Flag("--json", "Print JSON for machines.");
        command.Add(json);
        command.SetAction(r =>
        {
            var options = SocketOptionCatalog.Describe();
            if (r.GetValue(json))
            {
                using var stdout = StandardOutput.Open();
                SockoptsReport.WriteJson(stdout, options);
            }
            else
            {
                SockoptsReport.WriteText(r.InvocationConfiguration.Output, options);
            }

            return ExitCode.Ok;
        });
        return command;
    }
}
