/// Makes a module safe to run in a reused instance: everything a call can change must be visible
/// and restorable, so that a restored instance is indistinguishable from a fresh one.
///
/// A call can change linear memory (restored from a snapshot), mutable globals (exported here under
/// `__orch8_global_<i>` so they can be read and reset through the public API), tables and segments
/// (`table.set`, `table.grow`, `elem.drop`, `data.drop`, …: a module whose code contains any of
/// these is not pooled at all). Anything this reader does not understand makes the module not
/// poolable: it then runs in a fresh instance per call, which is always correct.
enum PoolableModule {
    struct Rewritten {
        var bytes: [UInt8]
        /// Indices of the mutable globals, in export-name order.
        var mutableGlobals: [Int]
    }

    static let globalExportPrefix = "__orch8_global_"

    /// The module with its mutable globals exported, or nil if it must not be pooled.
    static func rewrite(_ bytes: [UInt8]) -> Rewritten? {
        guard bytes.count >= 8, Array(bytes[0..<4]) == [0x00, 0x61, 0x73, 0x6D] else { return nil }
        var reader = Reader(bytes: bytes, position: 8)
        var sections: [(id: UInt8, range: Range<Int>)] = []
        while reader.position < bytes.count {
            guard let id = reader.byte(), let size = reader.leb() else { return nil }
            let start = reader.position
            guard start + Int(size) <= bytes.count else { return nil }
            sections.append((id, start..<(start + Int(size))))
            reader.position = start + Int(size)
        }
        var mutableGlobals: [Int] = []
        for section in sections {
            switch section.id {
            case 2:  // imports: refused at registration anyway
                return nil
            case 6:
                guard let found = Self.mutableGlobals(in: bytes, section.range) else { return nil }
                mutableGlobals = found
            default:
                continue
            }
        }
        guard !StateMutationScan.mutatesTablesOrSegments(bytes) else { return nil }
        guard let exports = sections.first(where: { $0.id == 7 }) else { return nil }
        var exportReader = Reader(bytes: bytes, position: exports.range.lowerBound)
        guard let count = exportReader.leb() else { return nil }
        var content = encodeLEB(count + UInt32(mutableGlobals.count))
        content += bytes[exportReader.position..<exports.range.upperBound]
        for index in mutableGlobals {
            let name = Array("\(globalExportPrefix)\(index)".utf8)
            content += encodeLEB(UInt32(name.count)) + name + [0x03] + encodeLEB(UInt32(index))
        }
        var output = Array(bytes[0..<8])
        for section in sections {
            output.append(section.id)
            if section.id == 7 {
                output += encodeLEB(UInt32(content.count)) + content
            } else {
                output += encodeLEB(UInt32(section.range.count)) + bytes[section.range]
            }
        }
        return Rewritten(bytes: output, mutableGlobals: mutableGlobals)
    }

    private static func mutableGlobals(in bytes: [UInt8], _ range: Range<Int>) -> [Int]? {
        var reader = Reader(bytes: bytes, position: range.lowerBound)
        guard let count = reader.leb() else { return nil }
        var mutable: [Int] = []
        for index in 0..<Int(count) {
            guard let type = reader.byte(), [0x7F, 0x7E, 0x7D, 0x7C].contains(type), let flag = reader.byte() else {
                return nil
            }
            if flag == 1 { mutable.append(index) } else if flag != 0 { return nil }
            guard reader.skipConstantExpression() else { return nil }
        }
        return reader.position == range.upperBound ? mutable : nil
    }

    private static func encodeLEB(_ value: UInt32) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
        return out
    }

    private struct Reader {
        let bytes: [UInt8]
        var position: Int

        mutating func byte() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func leb() -> UInt32? {
            var result: UInt32 = 0
            var shift: UInt32 = 0
            while shift < 35 {
                guard let byte = byte() else { return nil }
                result |= UInt32(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            return nil
        }

        /// Skips `i32/i64/f32/f64.const` or `global.get` followed by `end`.
        mutating func skipConstantExpression() -> Bool {
            guard let opcode = byte() else { return false }
            switch opcode {
            case 0x41, 0x42, 0x23:
                while let byte = byte() { if byte & 0x80 == 0 { break } }
            case 0x43: position += 4
            case 0x44: position += 8
            default: return false
            }
            return byte() == 0x0B
        }
    }
}
