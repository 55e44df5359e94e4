namespace Netkit.Core.Protocols; internal static class Placeholder {}
