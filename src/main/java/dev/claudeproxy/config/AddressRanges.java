package dev.claudeproxy.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * Which addresses belong to the public internet. Everything else (loopback, private and
 * shared networks, link-local, unique-local, multicast, documentation and reserved ranges, and the
 * IPv6 forms that embed such an IPv4 address) is the gateway's own machine or network, which a
 * request path must not reach unless an operator listed it.
 */
public final class AddressRanges {

    /** IPv4 ranges that are not public: network and prefix length (RFC 6890 and its updates). */
    private static final List<int[]> IPV4_SPECIAL = List.of(
            new int[] {0x00000000, 8},    // "this" network, 0.0.0.0
            new int[] {0x0A000000, 8},    // private
            new int[] {0x64400000, 10},   // shared address space (carrier-grade NAT)
            new int[] {0x7F000000, 8},    // loopback
            new int[] {0xA9FE0000, 16},   // link-local, cloud metadata
            new int[] {0xAC100000, 12},   // private
            new int[] {0xC0000000, 24},   // IETF protocol assignments
            new int[] {0xC0000200, 24},   // documentation
            new int[] {0xC0A80000, 16},   // private
            new int[] {0xC6120000, 15},   // benchmarking
            new int[] {0xC6336400, 24},   // documentation
            new int[] {0xCB007100, 24},   // documentation
            new int[] {0xE0000000, 4},    // multicast
            new int[] {0xF0000000, 4});   // reserved, and broadcast

    private AddressRanges() {
    }

    public static boolean isPublic(InetAddress address) {
        if (address instanceof Inet4Address) {
            return isPublicV4(address.getAddress());
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && bytes.length == 16) {
            return isPublicV6(bytes);
        }
        return false;
    }

    private static boolean isPublicV4(byte[] bytes) {
        int value = ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
        for (int[] range : IPV4_SPECIAL) {
            int mask = range[1] == 0 ? 0 : -1 << (32 - range[1]);
            if ((value & mask) == range[0]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPublicV6(byte[] bytes) {
        int first = bytes[0] & 0xFF;
        // Only global unicast (2000::/3) is public; within it, the forms that carry an IPv4 address
        // are judged by that address, and documentation and other special blocks are not public.
        if ((first & 0xE0) != 0x20) {
            // ::/128, ::1, ::ffff:a.b.c.d (mapped), 64:ff9b::/96 (NAT64), fc00::/7, fe80::/10, ff00::/8...
            if (isMappedOrTranslated(bytes)) {
                return isPublicV4(new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]});
            }
            return false;
        }
        if (bytes[0] == 0x20 && bytes[1] == 0x02) {
            // 6to4: 2002:aabb:ccdd::/48 carries a.b.c.d
            return isPublicV4(new byte[] {bytes[2], bytes[3], bytes[4], bytes[5]});
        }
        boolean documentation = bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0D && (bytes[3] & 0xFF) == 0xB8;
        boolean ietf = bytes[0] == 0x20 && bytes[1] == 0x01 && (bytes[2] & 0xFE) == 0; // 2001::/23, Teredo among them
        return !documentation && !ietf;
    }

    /** ::ffff:0:0/96 (mapped) and 64:ff9b::/96 (NAT64): an IPv4 address in the last four bytes. */
    private static boolean isMappedOrTranslated(byte[] bytes) {
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= bytes[i] == 0;
        }
        mapped &= (bytes[10] & 0xFF) == 0xFF && (bytes[11] & 0xFF) == 0xFF;
        boolean nat64 = bytes[0] == 0 && (bytes[1] & 0xFF) == 0x64 && (bytes[2] & 0xFF) == 0xFF && (bytes[3] & 0xFF) == 0x9B;
        for (int i = 4; i < 12 && nat64; i++) {
            nat64 = bytes[i] == 0;
        }
        return mapped || nat64;
    }

    /** Whether the first {@code bits} bits of {@code address} equal those of {@code prefix}. */
    static boolean inPrefix(byte[] address, byte[] prefix, int bits) {
        if (address.length != prefix.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((address[i / 8] & mask) != (prefix[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
