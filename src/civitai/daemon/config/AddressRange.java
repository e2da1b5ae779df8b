package civitai.daemon.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IP address or CIDR range ({@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8}), parsed from a
 * literal only (never a DNS lookup). IPv4-mapped IPv6 peers match IPv4 ranges. Immutable.
 */
public final class AddressRange {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final byte[] network;
    private final int bits;

    private AddressRange(byte[] network, int bits) {
        this.network = network;
        this.bits = bits;
    }

    /** The range, or null when {@code text} is not an address literal or CIDR range. */
    public static AddressRange parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        byte[] address = literal(host);
        if (address == null) {
            return null;
        }
        int bits = address.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            if (bits < 0 || bits > address.length * 8) {
                return null;
            }
        }
        return new AddressRange(address, bits);
    }

    /** The bytes of an IPv4 or IPv6 literal (mapped IPv4 turned to 4 bytes), or null. */
    public static byte[] literal(String host) {
        if (!IPV4.matcher(host).matches() && !host.contains(":")) {
            return null;  // a name: never resolved here
        }
        try {
            return normal(InetAddress.getByName(host).getAddress());
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    public boolean contains(InetAddress address) {
        return address != null && contains(normal(address.getAddress()));
    }

    public boolean contains(byte[] candidate) {
        if (candidate == null || candidate.length != network.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((candidate[i / 8] & mask) != (network[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] normal(byte[] a) {
        if (a.length == 16) {
            boolean mapped = a[10] == (byte) 0xff && a[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = a[i] == 0;
            }
            if (mapped) {
                return new byte[] {a[12], a[13], a[14], a[15]};
            }
        }
        return a;
    }
}
