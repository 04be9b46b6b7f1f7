import Foundation
import WasmKit

/// Idle instances of poolable modules, reset and ready for the next call: shared by the guest
/// threads and by the trial runs on callers' threads, so that any of them finds the instance the
/// last call left behind.
final class GuestPool: @unchecked Sendable {
    /// Instances of one module version under one memory limit are interchangeable.
    struct Key: Hashable {
        var hash: String
        var memoryPages: Int
    }

    /// Idle instances kept per module and memory limit: about as many as calls of one module run
    /// at once (guest threads plus the cooperative pool's threads).
    static let idlePerModule = 8
    /// Modules (by content and memory limit) with idle instances; old versions after a reload must
    /// not pile up.
    static let pooledModules = 32

    // Guarded by `lock`.
    private var idle: [Key: [Guest]] = [:]
    private let lock = NSLock()

    func take(_ key: Key) -> Guest? {
        lock.withLock { idle[key]?.popLast() }
    }

    func put(_ guest: Guest, key: Key) {
        lock.withLock {
            if idle[key] == nil, idle.count >= Self.pooledModules, let evicted = idle.keys.first {
                idle.removeValue(forKey: evicted)
            }
            guard idle[key, default: []].count < Self.idlePerModule else { return }
            idle[key, default: []].append(guest)
        }
    }
}

/// Execution stacks for guest calls made on callers' threads (the guest threads keep one each):
/// WasmKit would otherwise allocate half a megabyte per `invoke`.
final class ExecutionStackPool: @unchecked Sendable {
    private final class Box {
        var stack: ExecutionStack
        init(engine: WasmKit.Engine) { stack = ExecutionStack(engine: engine) }
    }

    /// Stacks kept for reuse; more callers at once than this allocate and free their own.
    static let kept = 4

    // Guarded by `lock`.
    private var free: [Box] = []
    private let lock = NSLock()
    private let engine: WasmKit.Engine

    init(engine: WasmKit.Engine) { self.engine = engine }

    func withStack<Result>(_ body: (inout ExecutionStack) -> Result) -> Result {
        let box = lock.withLock { free.popLast() } ?? Box(engine: engine)
        let result = body(&box.stack)
        lock.withLock { if free.count < Self.kept { free.append(box) } }
        return result
    }
}
