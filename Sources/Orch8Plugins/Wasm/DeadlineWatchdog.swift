import Foundation
import Synchronization

/// Fires the deadlines of WASM calls from one thread of its own.
///
/// A dispatch timer per call cost a wake-up of dispatch's manager thread (a write, an epoll, a
/// context switch) for every call. Here arming a deadline is a heap push under a lock; the thread
/// is woken only when the new deadline is earlier than the one it sleeps until, which with one
/// timeout for every call is almost never. It sleeps on the monotonic clock, so that a step of the
/// wall clock neither fires deadlines early nor holds them back.
final class DeadlineWatchdog: @unchecked Sendable {
    private struct Entry {
        var due: UInt64
        var order: UInt64
        var deadline: Deadline

        func precedes(_ other: Entry) -> Bool { (due, order) < (other.due, other.order) }
    }

    // Guarded by `lock`.
    private var heap: [Entry] = []
    private var armed: UInt64 = 0
    private var started = false
    /// The due time the thread sleeps until (`.max`: nothing armed); nil while it is awake, when it
    /// looks at the heap again before it sleeps.
    private var sleepingUntil: UInt64?
    private let lock = MonotonicCondition()

    /// Runs `fire` once `timeout` has passed, unless the returned deadline is cancelled first.
    func arm(after timeout: Duration, _ fire: @escaping @Sendable () -> Void) -> Deadline {
        let deadline = Deadline(fire)
        let nanoseconds = UInt64(clamping: max(0, timeout.nanoseconds))
        let (sum, overflow) = MonotonicCondition.now().addingReportingOverflow(nanoseconds)
        let due = overflow ? UInt64.max : sum
        lock.lock()
        // Deadlines of calls answered long ago rise to the top as their time comes closest: drop
        // them here. With one timeout for every call the heap then holds about as many entries as
        // there are calls in flight; calls with longer timeouts than the rest stay until theirs
        // comes near, as dispatch timers would.
        while let top = heap.first, top.deadline.isSettled { popTop() }
        push(Entry(due: due, order: armed, deadline: deadline))
        armed &+= 1
        if !started {
            started = true
            let thread = Thread { [self] in self.watch() }
            thread.name = "orch8-wasm-deadlines"
            thread.start()
        } else if let sleepingUntil, due < sleepingUntil {
            lock.signal()
        }
        lock.unlock()
        return deadline
    }

    /// Whether the thread sleeps until a deadline (for tests).
    var isSleeping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return sleepingUntil != nil
    }

    /// Entries in the heap, answered or not (for tests).
    var pending: Int {
        lock.lock()
        defer { lock.unlock() }
        return heap.count
    }

    private func watch() {
        lock.lock()
        while true {
            let now = MonotonicCondition.now()
            var due: [Deadline] = []
            while let top = heap.first, top.due <= now || top.deadline.isSettled {
                let entry = popTop()
                if !entry.deadline.isSettled { due.append(entry.deadline) }
            }
            if !due.isEmpty {
                lock.unlock()
                for deadline in due { deadline.fire() }
                lock.lock()
                continue
            }
            let until = heap.first?.due ?? .max
            sleepingUntil = until
            lock.wait(until: until)
            sleepingUntil = nil
        }
    }

    private func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    private func popTop() -> Entry {
        let top = heap[0]
        let last = heap.removeLast()
        guard !heap.isEmpty else { return top }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var first = parent
            if left < heap.count && heap[left].precedes(heap[first]) { first = left }
            if right < heap.count && heap[right].precedes(heap[first]) { first = right }
            guard first != parent else { break }
            heap.swapAt(parent, first)
            parent = first
        }
        return top
    }
}

/// A call's deadline: what to do when it passes, dropped once the call is answered.
final class Deadline: Sendable {
    /// Cancelling drops the action at once, so that an entry still waiting for its time keeps only
    /// this small object alive, not the call's answer.
    private let action: Mutex<(@Sendable () -> Void)?>

    init(_ fire: @escaping @Sendable () -> Void) {
        action = Mutex(fire)
    }

    func cancel() { action.withLock { $0 = nil } }

    /// Whether it was cancelled or has fired.
    var isSettled: Bool { action.withLock { $0 == nil } }

    func fire() { action.withLock { $0.take() }?() }
}

/// A pthread mutex and condition whose timed wait runs on CLOCK_MONOTONIC (NSCondition's runs on
/// the wall clock). Darwin cannot set a condition's clock: there it waits on the wall clock.
private final class MonotonicCondition: @unchecked Sendable {
    #if canImport(Darwin)
    static let clock = CLOCK_REALTIME
    #else
    static let clock = CLOCK_MONOTONIC
    #endif

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if !canImport(Darwin)
        pthread_condattr_setclock(&attributes, Self.clock)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// The condition's clock in nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func signal() { pthread_cond_signal(condition) }

    /// Waits for a signal or until the monotonic clock reads `due` (`.max`: no time limit); may
    /// return early, like every condition wait.
    func wait(until due: UInt64) {
        guard due != .max else {
            pthread_cond_wait(condition, mutex)
            return
        }
        let seconds = min(due / 1_000_000_000, UInt64(Int.max))
        var time = timespec(tv_sec: Int(seconds), tv_nsec: Int(due % 1_000_000_000))
        pthread_cond_timedwait(condition, mutex, &time)
    }
}
