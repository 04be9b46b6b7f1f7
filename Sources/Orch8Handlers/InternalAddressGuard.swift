import Foundation

/// Refuses URLs whose host resolves to a loopback, private, link-local (cloud metadata included),
/// unique-local, multicast or unspecified address, so that a sequence cannot make the engine reach
/// into its own network (ORCH8-SPEC §4). Checked after DNS resolution and again at every redirect.
public struct InternalAddressGuard: Sendable {
    /// `ORCH8_ALLOW_INTERNAL_URLS=1` turns the guard off.
    var allowInternal: Bool

    /// Nil when the host may be called, else why not.
    func refusal(host: String) async -> String? {
        if allowInternal { return nil }
        let addresses = await Self.resolve(host)
        guard !addresses.isEmpty else { return nil }  // the request itself reports the DNS failure
        if let inside = addresses.first(where: Self.isInternal) {
            return "blocked: URL targets a private/internal network address (\(host) resolves to \(inside))"
        }
        return nil
    }

    /// The host's addresses as text, resolved off the cooperative pool (getaddrinfo blocks).
    static func resolve(_ host: String) async -> [String] {
        let name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: addresses(of: name)) }
        }
    }

    private static func addresses(of name: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(
                entry.pointee.ai_addr,
                entry.pointee.ai_addrlen,
                &text,
                socklen_t(text.count),
                nil,
                0,
                NI_NUMERICHOST
            ) == 0 {
                found.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = entry.pointee.ai_next
        }
        return found
    }

    /// Whether a numeric address is loopback, private, link-local, unique-local, multicast or
    /// unspecified (IPv4, IPv6, and IPv4 mapped into IPv6).
    public static func isInternal(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return isInternal(v4: UInt32(bigEndian: v4.s_addr)) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address.split(separator: "%").first.map(String.init) ?? address, &v6) == 1 else {
            return true  // not an address we understand: refuse
        }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return isInternal(v4: bytes[12..<16].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) })
        }
        if bytes.allSatisfy({ $0 == 0 }) { return true }  // ::
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
        if bytes[0] & 0xFE == 0xFC { return true }  // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link local
        if bytes[0] == 0xFF { return true }  // multicast
        return false
    }

    private static func isInternal(v4 address: UInt32) -> Bool {
        func within(_ base: UInt32, _ bits: UInt32) -> Bool { address >> (32 - bits) == base >> (32 - bits) }
        return within(0x0000_0000, 8)  // 0.0.0.0/8
            || within(0x0A00_0000, 8)  // 10/8
            || within(0x6440_0000, 10)  // 100.64/10 shared (carrier-grade NAT)
            || within(0x7F00_0000, 8)  // 127/8 loopback
            || within(0xA9FE_0000, 16)  // 169.254/16 link local, cloud metadata
            || within(0xAC10_0000, 12)  // 172.16/12
            || within(0xC0A8_0000, 16)  // 192.168/16
            || within(0xE000_0000, 4)  // multicast
            || within(0xF000_0000, 4)  // reserved, broadcast
    }
}
