using System.Net;
using System.Net.Sockets;

namespace HangfireApp.Batches.Outbound;

/// <summary>
/// The address check, in the socket connect step of every outbound connection (<see cref="SocketsHttpHandler.ConnectCallback"/>):
/// the host name is resolved here, every address it resolves to is checked, and the socket connects to exactly those
/// checked addresses — so a DNS answer that changes between a check and the connect (DNS rebinding) cannot slip
/// through, and each redirect hop's new connection is checked like the first. All or nothing: a name with one
/// refused address among public ones is refused, so which address the connect picks never matters.
/// </summary>
internal sealed class OutboundConnector(string clientName, OutboundClientOptions options)
{
    private readonly IReadOnlyList<(IPAddress Network, int Prefix)> _allowed = options.ParsedNetworks();

    /// <summary>Why <paramref name="address"/> is refused to this client, or null.</summary>
    public string? WhyRefused(IPAddress address)
    {
        if (options.AllowPrivateNetworks || _allowed.Any(n => AddressRules.Contains(n.Network, n.Prefix, address)))
        {
            return null;
        }
        return AddressRules.WhyRefused(address);
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        if (!Socket.OSSupportsIPv6)
        {
            addresses = [.. addresses.Where(address => address.AddressFamily == AddressFamily.InterNetwork)];
        }
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }
        foreach (var address in addresses)
        {
            if (WhyRefused(address) is { } why)
            {
                throw new OutboundRefusedException(
                    $"Connection to '{endpoint.Host}' refused: {address} is {why}. Allow it with AllowedNetworks or AllowPrivateNetworks of the '{clientName}' client.");
            }
        }
        var socket = Socket.OSSupportsIPv6
            ? new Socket(SocketType.Stream, ProtocolType.Tcp) // dual mode: reaches IPv4 and IPv6 addresses
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
