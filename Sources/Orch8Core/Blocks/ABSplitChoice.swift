public import Foundation

/// The deterministic variant choice of an a_b_split (ORCH8-SPEC §2.2): the first eight bytes of
/// SHA-256(instance id bytes, 0x00, block id), big-endian, modulo the total weight, picked by
/// cumulative weight. The same instance always lands in the same variant.
public enum ABSplitChoice {
    /// The chosen index into `weights`; 0 when every weight is zero.
    public static func variantIndex(instanceID: UUID, blockID: String, weights: [UInt32]) -> Int {
        let total = weights.reduce(UInt64(0)) { $0 + UInt64($1) }
        guard total > 0 else { return 0 }
        let uuid = instanceID.uuid
        var bytes = [
            uuid.0, uuid.1, uuid.2, uuid.3, uuid.4, uuid.5, uuid.6, uuid.7,
            uuid.8, uuid.9, uuid.10, uuid.11, uuid.12, uuid.13, uuid.14, uuid.15,
        ]
        bytes.append(0)
        bytes.append(contentsOf: Array(blockID.utf8))
        let digest = SHA256.hash(bytes)
        let head = digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        var point = head % total
        for (index, weight) in weights.enumerated() {
            if point < UInt64(weight) { return index }
            point -= UInt64(weight)
        }
        return weights.count - 1
    }
}
