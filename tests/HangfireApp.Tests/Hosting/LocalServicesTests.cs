using System.Globalization;
using HangfireApp.Tests.Infrastructure;
using Npgsql;

namespace HangfireApp.Tests.Hosting;

public sealed class LocalServicesTests
{
    /// <summary>
    /// The servers the scripts start for the tests (ops/pg.sh's PostgreSQL; ops/rabbitmq.sh's node: AMQP, its Erlang
    /// distribution port and its epmd, on the AMQP port + 1 and + 2) listen on loopback only. The distribution listener
    /// took every interface until the script named one.
    /// </summary>
    [Fact]
    public void ScriptStartedServers_ListenOnLoopbackOnly()
    {
        var ports = new List<int> { new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString).Port };
        var amqp = new Uri(Environment.GetEnvironmentVariable("HANGFIREAPP_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:55672/");
        ports.AddRange([amqp.Port, amqp.Port + 1, amqp.Port + 2]);

        var listeners = Listeners("/proc/net/tcp").Concat(Listeners("/proc/net/tcp6")).Where(l => ports.Contains(l.Port)).ToList();

        listeners.ShouldContain(l => l.Port == ports[0], "PostgreSQL should be listening");
        listeners.Where(l => !l.Loopback).Select(l => $"{l.Address}:{l.Port}").ShouldBeEmpty();
    }

    /// <summary>Listening sockets from /proc/net/tcp or tcp6: local address (hex, as the kernel stores it) and port.</summary>
    private static IEnumerable<(string Address, int Port, bool Loopback)> Listeners(string table) =>
        File.ReadLines(table).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields[3] == "0A") // TCP_LISTEN
            .Select(fields => fields[1].Split(':'))
            .Select(local => (local[0], int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                // 127.0.0.0/8 (first octet last in the little-endian hex), ::1, or ::ffff:127.x.x.x.
                local[0].Length == 8 ? local[0].EndsWith("7F", StringComparison.Ordinal)
                    : local[0] == "00000000000000000000000001000000" || (local[0].StartsWith("0000000000000000FFFF0000", StringComparison.Ordinal) && local[0].EndsWith("7F", StringComparison.Ordinal))));
}
