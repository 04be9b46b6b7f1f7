import Foundation
import Orch8Core
import Testing
import WAT

@testable import Orch8Plugins

/// Reused instances must be indistinguishable from fresh ones: memory, globals and size restored,
/// and modules whose state cannot be restored are never reused.
@Suite struct InstancePoolTests {
    private func runtime() -> WasmRuntime {
        var configuration = WasmConfiguration()
        configuration.threads = 1
        return WasmRuntime(configuration: configuration)
    }

    private func outputs(_ runtime: WasmRuntime, _ path: String, calls: Int = 4) async throws -> [JSON] {
        var results: [JSON] = []
        for _ in 0..<calls {
            results.append(
                try await runtime.invoke(path: path, config: nil, input: ["x": 1], timeout: .seconds(5)).get().output
            )
        }
        return results
    }

    @Test func globalsAndMemoryAreRestoredBetweenReusedCalls() async throws {
        // Increments a global and a byte of memory, and answers both as one digit each: "11" when
        // fresh, "22" if anything leaked from the previous call.
        let path = try PluginModules.abi(
            handle: """
                (global.set $count (i32.add (global.get $count) (i32.const 1)))
                (i32.store8 (i32.const 100) (i32.add (i32.load8_u (i32.const 100)) (i32.const 1)))
                (i32.store8 (i32.const 16) (i32.add (i32.const 48) (global.get $count)))
                (i32.store8 (i32.const 17) (i32.add (i32.const 48) (i32.load8_u (i32.const 100))))
                (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 2))
                """,
            extra: "(global $count (mut i32) (i32.const 0))"
        )
        let runtime = runtime()
        #expect(try await outputs(runtime, path) == [11, 11, 11, 11])
        #expect(runtime.instantiations.count == 1, "one instance served every call")
    }

    @Test func anInstanceWhoseMemoryGrewIsNotReused() async throws {
        // Grows by a page and answers the page count: always 2 when fresh.
        let path = try PluginModules.abi(
            handle: """
                (drop (memory.grow (i32.const 1)))
                (i32.store8 (i32.const 16) (i32.add (i32.const 48) (memory.size)))
                (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 1))
                """
        )
        let runtime = runtime()
        #expect(try await outputs(runtime, path, calls: 3) == [2, 2, 2])
        #expect(runtime.instantiations.count == 3)
    }

    @Test func aFailedCallDropsItsInstance() async throws {
        // Traps on odd calls if state leaked: the first call sets a flag and traps.
        let path = try PluginModules.abi(
            handle: """
                (if (global.get $dirty) (then unreachable))
                (global.set $dirty (i32.const 1))
                unreachable
                """,
            extra: "(global $dirty (mut i32) (i32.const 0))"
        )
        let runtime = runtime()
        for _ in 0..<3 {
            let result = await runtime.invoke(path: path, config: nil, input: [:], timeout: .seconds(5))
            guard case .failure(let failure) = result else {
                Issue.record("expected a trap")
                continue
            }
            #expect(failure.message.hasPrefix("plugin trapped in handle"))
        }
        #expect(runtime.instantiations.count == 3)
    }

    @Test func modulesThatChangeTablesOrSegmentsAreNeverPooled() throws {
        let tableSet = try wat2wasm(
            """
            (module (memory (export "memory") 1) (table 1 funcref)
              (func (export "handle") (param i32 i32) (result i64) (table.set (i32.const 0) (ref.null func)) (i64.const 0)))
            """
        )
        #expect(PoolableModule.rewrite(tableSet) == nil)
        let dataDrop = try wat2wasm(
            """
            (module (memory (export "memory") 1) (data $d "passive bytes")
              (func (export "handle") (param i32 i32) (result i64) (data.drop $d) (i64.const 0)))
            """
        )
        #expect(PoolableModule.rewrite(dataDrop) == nil)
        let readOnlyTable = try wat2wasm(
            """
            (module (memory (export "memory") 1) (table 1 funcref)
              (func (export "handle") (param i32 i32) (result i64) (i64.const 0)))
            """
        )
        #expect(PoolableModule.rewrite(readOnlyTable) != nil, "a table nothing can change is fine")
        let plain = try wat2wasm(
            """
            (module (memory (export "memory") 1) (global (mut i32) (i32.const 7)) (global i64 (i64.const 1))
              (global $g (mut i64) (i64.const -3)) (export "g" (global $g)))
            """
        )
        let rewritten = try #require(PoolableModule.rewrite(plain))
        #expect(rewritten.mutableGlobals == [0, 2])
        #expect(PoolableModule.rewrite(Array(plain.prefix(20))) == nil, "a truncated module is not understood")
    }

    @Test func theClassifierIsPooledAndAnswersAsBefore() async throws {
        let path = try await PluginModules.compileExample("text_classifier")
        let runtime = runtime()
        for text in ["buy now", "receipt", "hello", "buy now"] {
            let input: JSON = ["params": ["text": .string(text)], "context": ["data": [:]], "attempt": 1]
            let output = try await runtime.invoke(path: path, config: nil, input: input, timeout: .seconds(5)).get()
                .output
            #expect(output["input_length"] == .int(Int64(text.utf8.count)))
        }
        #expect(runtime.instantiations.count == 1)
    }
}
