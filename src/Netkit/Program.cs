return await Netkit.Cli.NetkitCli.RunAsync(args);
