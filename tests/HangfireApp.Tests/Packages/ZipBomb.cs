using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace HangfireApp.Tests.Packages;

/// <summary>
/// Builds a zip bomb the way they are built: one entry deflated once (a JSON record with a huge string,
/// about 1,000:1), its compressed bytes repeated under many names. Writing the archive by hand is what keeps
/// the test fast: <see cref="ZipArchive"/> would deflate every entry again (gigabytes).
/// </summary>
internal static class ZipBomb
{
    public static byte[] Create(int entries, int entryBytes)
    {
        const string Head = "{\"id\":\"BOMB-1\",\"modified\":\"2024-01-01T00:00:00Z\",\"summary\":\"zip bomb\",\"details\":\"";
        var record = Encoding.ASCII.GetBytes(Head + new string('A', entryBytes - Head.Length - 2) + "\"}");
        var crc = Crc32.HashToUInt32(record);
        byte[] deflated;
        using (var buffer = new MemoryStream())
        {
            using (var deflate = new DeflateStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                deflate.Write(record);
            }
            deflated = buffer.ToArray();
        }

        using var zip = new MemoryStream();
        var central = new MemoryStream();
        for (var i = 0; i < entries; i++)
        {
            var name = Encoding.ASCII.GetBytes($"bomb/BOMB-{i:D4}.json");
            var offset = (uint)zip.Length;
            Write(zip, 0x04034b50u, (ushort)20, (ushort)0, (ushort)8, (ushort)0, (ushort)0x21, crc, (uint)deflated.Length, (uint)record.Length,
                (ushort)name.Length, (ushort)0);
            zip.Write(name);
            zip.Write(deflated);
            Write(central, 0x02014b50u, (ushort)20, (ushort)20, (ushort)0, (ushort)8, (ushort)0, (ushort)0x21, crc, (uint)deflated.Length,
                (uint)record.Length, (ushort)name.Length, (ushort)0, (ushort)0, (ushort)0, (ushort)0, 0u, offset);
            central.Write(name);
        }
        var centralOffset = (uint)zip.Length;
        central.Position = 0;
        central.CopyTo(zip);
        Write(zip, 0x06054b50u, (ushort)0, (ushort)0, (ushort)entries, (ushort)entries, (uint)central.Length, centralOffset, (ushort)0);
        return zip.ToArray();
    }

    /// <summary>Little-endian fields, as the zip format has them.</summary>
    private static void Write(Stream stream, params object[] fields)
    {
        Span<byte> bytes = stackalloc byte[4];
        foreach (var field in fields)
        {
            switch (field)
            {
                case ushort u16:
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes, u16);
                    stream.Write(bytes[..2]);
                    break;
                case uint u32:
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes, u32);
                    stream.Write(bytes);
                    break;
                default:
                    throw new ArgumentException($"Unexpected field type {field.GetType()}.", nameof(fields));
            }
        }
    }
}
