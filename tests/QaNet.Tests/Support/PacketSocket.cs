using System.Buffers.Binary;
using System.ComponentModel;
using System.Net;
using System.Runtime.InteropServices;

namespace QaNet.Tests.Support;

/// <summary>
/// A raw Ethernet socket (AF_PACKET) opened inside a lab namespace, for what no installed tool
/// sends: hand-made IPv6 frames (a router advertisement, a forged neighbour advertisement, a
/// link-local source) from a client, and a capture of every frame that reaches another namespace.
/// The socket is created on a thread that enters the namespace (setns) and leaves it again; a
/// socket keeps the namespace it was made in. Receiving is bounded by a timeout.
/// </summary>
internal sealed partial class PacketSocket : IDisposable
{
    private const int AfPacket = 17;
    private const int SockRaw = 3;
    private const ushort EthPAll = 0x0003;
    private const int CloneNewNet = 0x40000000;
    private const int SolSocket = 1;
    private const int SoRcvTimeo = 20;
    private const int Eagain = 11;

    private readonly int _fd;

    private PacketSocket(int fd)
    {
        _fd = fd;
    }

    /// <summary>A socket in <paramref name="ns"/> bound to <paramref name="device"/> (null: every interface of the namespace).</summary>
    public static PacketSocket Open(string ns, string? device)
    {
        var fd = -1;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var home = File.OpenHandle("/proc/thread-self/ns/net");
                using var target = File.OpenHandle("/run/netns/" + ns);
                Check(setns((int)target.DangerousGetHandle(), CloneNewNet), "setns " + ns);
                try
                {
                    var index = device is null ? 0 : (int)if_nametoindex(device);
                    if (device is not null && index == 0)
                    {
                        throw new Win32Exception(Marshal.GetLastPInvokeError(), $"no interface {device} in {ns}");
                    }

                    fd = Check(socket(AfPacket, SockRaw, BinaryPrimitives.ReverseEndianness(EthPAll)), "socket");
                    var address = new SockaddrLl { Family = AfPacket, Protocol = BinaryPrimitives.ReverseEndianness(EthPAll), IfIndex = index };
                    Check(bind(fd, ref address, Marshal.SizeOf<SockaddrLl>()), "bind");
                    var timeout = new Timeval { Seconds = 0, Microseconds = 100_000 };
                    Check(setsockopt(fd, SolSocket, SoRcvTimeo, ref timeout, Marshal.SizeOf<Timeval>()), "setsockopt");
                }
                finally
                {
                    Check(setns((int)home.DangerousGetHandle(), CloneNewNet), "setns back");
                }
            }
            catch (Exception e) when (e is Win32Exception or IOException or UnauthorizedAccessException)
            {
                failure = e;
                if (fd >= 0)
                {
                    _ = close(fd);
                    fd = -1;
                }
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? new PacketSocket(fd) : throw new InvalidOperationException("packet socket in " + ns + ": " + failure.Message, failure);
    }

    /// <summary>Sends one whole Ethernet frame (the socket must be bound to a device).</summary>
    public void Send(byte[] frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (send(_fd, frame, frame.Length, 0) != frame.Length)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "send");
        }
    }

    /// <summary>Every frame received until <paramref name="wait"/> has passed.</summary>
    public List<byte[]> Receive(TimeSpan wait)
    {
        var frames = new List<byte[]>();
        var buffer = new byte[65536];
        var end = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < end)
        {
            var n = recv(_fd, buffer, buffer.Length, 0);
            if (n > 0)
            {
                frames.Add(buffer.AsSpan(0, (int)n).ToArray());
            }
            else if (Marshal.GetLastPInvokeError() != Eagain)
            {
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "recv");
            }
        }

        return frames;
    }

    public void Dispose() => _ = close(_fd);

    private static int Check(int result, string what) =>
        result >= 0 ? result : throw new Win32Exception(Marshal.GetLastPInvokeError(), what);

    [StructLayout(LayoutKind.Sequential)]
    private struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HaType;
        public byte PktType;
        public byte HaLen;
        public ulong Address;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timeval
    {
        public long Seconds;
        public long Microseconds;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, ref SockaddrLl address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int fd, int level, int name, ref Timeval value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte[] buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int fd, byte[] buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint if_nametoindex(string name);
}

/// <summary>
/// IPv6 frames built byte by byte (RFC 8200, 4861, 9293), each carrying a random nonce so that a
/// capture tells the test's frame from any other.
/// </summary>
internal static class Ipv6Frames
{
    private const byte Icmp6 = 58;
    private const byte Tcp = 6;

    /// <summary>The EUI-64 link-local address of a MAC, as the kernel forms it.</summary>
    public static IPAddress LinkLocal(string mac)
    {
        var m = ParseMac(mac);
        var a = new byte[16];
        a[0] = 0xfe;
        a[1] = 0x80;
        a[8] = (byte)(m[0] ^ 0x02);
        a[9] = m[1];
        a[10] = m[2];
        a[11] = 0xff;
        a[12] = 0xfe;
        a[13] = m[3];
        a[14] = m[4];
        a[15] = m[5];
        return new IPAddress(a);
    }

    public static byte[] NewNonce() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(6);

    /// <summary>A router advertisement to all nodes: a default router for 30 minutes and an autoconfiguration prefix.</summary>
    public static byte[] RouterAdvertisement(string mac, byte[] nonce)
    {
        var body = new List<byte> { 134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0 };
        body.AddRange(new byte[] { 3, 4, 64, 0xc0, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08, 0, 0, 0, 0 });
        body.AddRange(IPAddress.Parse("2001:db8:bad::").GetAddressBytes());
        body.AddRange(SourceLinkLayer(1, mac));
        body.AddRange(NonceOption(nonce));
        return Frame(mac, "33:33:00:00:00:01", LinkLocal(mac), IPAddress.Parse("ff02::1"), Icmp6, 255, body.ToArray());
    }

    /// <summary>A redirect to <paramref name="victim"/>: reach <paramref name="destination"/> through the sender.</summary>
    public static byte[] Redirect(string mac, string victimMac, IPAddress victim, IPAddress destination, byte[] nonce)
    {
        var body = new List<byte> { 137, 0, 0, 0, 0, 0, 0, 0 };
        body.AddRange(LinkLocal(mac).GetAddressBytes());
        body.AddRange(destination.GetAddressBytes());
        body.AddRange(SourceLinkLayer(2, mac));
        body.AddRange(NonceOption(nonce));
        return Frame(mac, victimMac, LinkLocal(mac), victim, Icmp6, 255, body.ToArray());
    }

    /// <summary>An unsolicited neighbour advertisement to all nodes, overriding: <paramref name="target"/> is at <paramref name="mac"/>.</summary>
    public static byte[] NeighbourAdvertisement(string mac, IPAddress source, IPAddress target, byte[] nonce)
    {
        var body = new List<byte> { 136, 0, 0, 0, 0x20, 0, 0, 0 };
        body.AddRange(target.GetAddressBytes());
        body.AddRange(SourceLinkLayer(2, mac));
        body.AddRange(NonceOption(nonce));
        return Frame(mac, "33:33:00:00:00:01", source, IPAddress.Parse("ff02::1"), Icmp6, 255, body.ToArray());
    }

    /// <summary>A TCP SYN to <paramref name="destination"/>:<paramref name="port"/> through the router at <paramref name="routerMac"/>, the nonce as its data.</summary>
    public static byte[] TcpSyn(string mac, string routerMac, IPAddress source, IPAddress destination, int port, byte[] nonce)
    {
        var body = new byte[20 + nonce.Length];
        BinaryPrimitives.WriteUInt16BigEndian(body, 40_000);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), (ushort)port);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(4), 1);
        body[12] = 5 << 4;
        body[13] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(14), 65_535);
        nonce.CopyTo(body, 20);
        return Frame(mac, routerMac, source, destination, Tcp, 64, body, checksumAt: 16);
    }

    /// <summary>Whether any of <paramref name="frames"/> carries <paramref name="nonce"/>.</summary>
    public static bool AnyCarries(IEnumerable<byte[]> frames, byte[] nonce) => frames.Any(f => f.AsSpan().IndexOf(nonce) >= 0);

    private static byte[] Frame(string sourceMac, string destinationMac, IPAddress source, IPAddress destination, byte next, byte hopLimit, byte[] body, int checksumAt = 2)
    {
        var s = source.GetAddressBytes();
        var d = destination.GetAddressBytes();
        var pseudo = new List<byte>(s);
        pseudo.AddRange(d);
        pseudo.AddRange(new byte[] { 0, 0, (byte)(body.Length >> 8), (byte)body.Length, 0, 0, 0, next });
        pseudo.AddRange(body);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(checksumAt), Checksum(pseudo.ToArray()));

        var frame = new List<byte>(ParseMac(destinationMac));
        frame.AddRange(ParseMac(sourceMac));
        frame.AddRange(new byte[] { 0x86, 0xdd, 0x60, 0, 0, 0, (byte)(body.Length >> 8), (byte)body.Length, next, hopLimit });
        frame.AddRange(s);
        frame.AddRange(d);
        frame.AddRange(body);
        return frame.ToArray();
    }

    private static IEnumerable<byte> SourceLinkLayer(byte type, string mac) => new byte[] { type, 1 }.Concat(ParseMac(mac));

    // RFC 3971's nonce option: ignored by a receiver that does not check it, and unique to this frame.
    private static IEnumerable<byte> NonceOption(byte[] nonce) => new byte[] { 14, 1 }.Concat(nonce);

    private static ushort Checksum(byte[] data)
    {
        uint sum = 0;
        for (var i = 0; i < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8) + (i + 1 < data.Length ? data[i + 1] : 0u);
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private static byte[] ParseMac(string mac) => mac.Split(':').Select(x => Convert.ToByte(x, 16)).ToArray();
}
