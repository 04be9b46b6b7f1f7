public import Foundation
import Synchronization

/// Time-ordered UUIDs (RFC 9562 version 7) for the ids the server generates: instances, signals, run
/// ids, worker tasks, output rows (ORCH8-SPEC §0). Drawn from the system generator, not Foundation's
/// `UUID()`, which on Linux opens `/dev/urandom` for every id.
///
/// 48 bits of Unix milliseconds, then a 12-bit counter that starts at a random value each millisecond
/// and makes ids generated in the same millisecond by this process increase, then 62 random bits.
public enum UUIDv7 {
    private struct Clock {
        var milliseconds: UInt64 = 0
        var counter: UInt16 = 0
    }
    private static let clock = Mutex(Clock())

    /// A new id, greater than every id this process generated before (unless the wall clock went back).
    public static func generate(now: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let wall = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (milliseconds, counter) = clock.withLock { clock -> (UInt64, UInt16) in
            if wall > clock.milliseconds {
                clock.milliseconds = wall
                // Leave headroom so that a burst within one millisecond rarely overflows.
                clock.counter = UInt16.random(in: 0..<0x400, using: &generator)
            } else if clock.counter < 0xFFF {
                clock.counter += 1
            } else {
                clock.milliseconds += 1
                clock.counter = 0
            }
            return (clock.milliseconds, clock.counter)
        }
        let random = UInt64.random(in: .min ... .max, using: &generator)
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 {
            bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index)))
        }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        for index in 8..<16 {
            bytes[index] = UInt8(truncatingIfNeeded: random >> (8 * (15 - index)))
        }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            )
        )
    }
}
