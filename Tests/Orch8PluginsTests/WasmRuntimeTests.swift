import Foundation
import Orch8Core
import Orch8Plugins
import Testing
import WAT

/// The sandbox against real modules: the C classifier and hostile WAT modules. Every bad module
/// fails its call with a clear message; the runtime keeps serving the next call.
@Suite struct WasmRuntimeTests {
    let runtime: WasmRuntime = {
        var configuration = WasmConfiguration()
        configuration.maxMemoryPages = 64
        configuration.fuelPerSecond = 20_000_000
        return WasmRuntime(configuration: configuration)
    }()

    func envelope(_ text: String) -> JSON {
        [
            "instance_id": "i", "block_id": "classify", "params": ["text": .string(text)],
            "context": ["data": [:], "config": [:]], "attempt": 1, "config": nil,
        ]
    }

    /// The call's failure without its cost (see ``failedCallsCarryWhatTheyCost()``), to compare.
    private func failure(_ path: String, config: JSON = nil, timeout: Duration = .seconds(5)) async -> StepFailure? {
        if case .failure(var failure) = await runtime.invoke(
            path: path,
            config: config,
            input: envelope("x"),
            timeout: timeout
        ) {
            failure.cost = nil
            return failure
        }
        return nil
    }

    @Test func theClassifierInC() async throws {
        let path = try await PluginModules.compileExample("text_classifier")
        try runtime.check(path: path, config: nil)
        for (text, category) in [
            ("Limited offer! buy now", "spam"), ("Your invoice is attached", "transactional"), ("lunch?", "ham"),
        ] {
            let call = try await runtime.invoke(path: path, config: nil, input: envelope(text), timeout: .seconds(5))
                .get()
            #expect(
                call.output == [
                    "category": .string(category), "confidence": 0.95, "input_length": .int(Int64(text.utf8.count)),
                ]
            )
            #expect(call.stats.fuelUsed > 0)
            #expect(call.stats.peakMemoryPages >= 1)
            #expect(call.stats.moduleHash.count == 64)
        }
    }

    @Test func everyCallSeesAFreshInstance() async throws {
        // A global counter incremented by each call: a reused instance would answer 2 the second time.
        let path = try PluginModules.abi(
            handle: """
                (global.set $count (i32.add (global.get $count) (i32.const 1)))
                (i32.store8 (i32.const 16) (i32.add (i32.const 48) (global.get $count)))
                (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 1))
                """,
            extra: "(global $count (mut i32) (i32.const 0))"
        )
        for _ in 0..<3 {
            #expect(
                try await runtime.invoke(path: path, config: nil, input: envelope(""), timeout: .seconds(5)).get()
                    .output == 1
            )
        }
    }

    @Test func registrationRefusesBrokenModulesWithAReason() throws {
        func reason(_ path: String, config: JSON = nil) -> String? {
            do {
                try runtime.check(path: path, config: config)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(reason("/no/such/plugin.wasm") == "wasm module not found: /no/such/plugin.wasm")
        let garbage = try PluginModules.write([0, 0x61, 0x73, 0x6d, 9, 9, 9, 9, 1, 2, 3])
        #expect(reason(garbage)?.contains("is not a valid wasm module") == true)
        let importing = try PluginModules.write(
            wat2wasm(#"(module (import "env" "abort" (func)) (memory (export "memory") 1))"#)
        )
        #expect(reason(importing) == "module imports env.abort: plugins may not import host functions")
        let noHandle = try PluginModules.write(
            wat2wasm(
                #"(module (memory (export "memory") 1) (func (export "alloc") (param i32) (result i32) (i32.const 0)))"#
            )
        )
        #expect(reason(noHandle) == "module must export function `handle`")
        let noMemory = try PluginModules.write(
            wat2wasm(#"(module (func (export "handle") (param i32 i32) (result i64) (i64.const 0)))"#)
        )
        #expect(reason(noMemory) == "module must export `memory`")
        let wrongType = try PluginModules.abi(handle: "(i64.const 0)", extra: "")
        #expect(reason(wrongType) == nil)
        let badSignature = try PluginModules.write(
            wat2wasm(
                """
                (module (memory (export "memory") 1)
                  (func (export "alloc") (param i32) (result i32) (i32.const 0))
                  (func (export "handle") (param i32) (result i32) (i32.const 0)))
                """
            )
        )
        #expect(reason(badSignature) == "export `handle` must have type (i32, i32) -> (i64), found (i32) -> (i32)")
        let huge = try PluginModules.abi(handle: "(i64.const 0)", memory: "100")
        #expect(reason(huge) == "module's initial memory exceeds the limit of 64 pages")
        #expect(reason(huge, config: ["memory_pages": 8]) == "module's initial memory exceeds the limit of 8 pages")
    }

    @Test func theAsyncCheckRunsOnAGuestThreadWithTheSameVerdicts() async throws {
        let path = try await PluginModules.compileExample("text_classifier")
        try await runtime.checkOnGuestThread(path: path, config: nil)
        let importing = try PluginModules.write(
            wat2wasm(#"(module (import "env" "abort" (func)) (memory (export "memory") 1))"#)
        )
        await #expect(throws: PluginSourceError("module imports env.abort: plugins may not import host functions")) {
            try await runtime.checkOnGuestThread(path: importing, config: nil)
        }
        // A start function that never ends is stopped by the check's fuel budget.
        let spinning = try PluginModules.write(
            wat2wasm(#"(module (memory (export "memory") 1) (func $spin (loop $l (br $l))) (start $spin))"#)
        )
        await #expect(throws: PluginSourceError.self) {
            try await runtime.checkOnGuestThread(path: spinning, config: nil)
        }
    }

    @Test func anInfiniteLoopIsStoppedByTheDeadline() async throws {
        let path = try PluginModules.abi(handle: "(loop $forever (br $forever)) (i64.const 0)")
        // One guest thread and a fuel budget of 1.2 × 30M instructions (the floor of one second's
        // worth), so that the guest outlives the caller's 200 ms deadline by far.
        var configuration = WasmConfiguration()
        configuration.threads = 1
        configuration.fuelPerSecond = 30_000_000
        let runtime = WasmRuntime(configuration: configuration)
        let result = await runtime.invoke(path: path, config: nil, input: envelope("x"), timeout: .milliseconds(200))
        guard case .failure(let failure) = result else {
            Issue.record("an infinite loop returned \(result)")
            return
        }
        // The deadline's answer, not the fuel's: the caller was answered while the guest still ran.
        #expect(failure.message == "plugin timed out after 200 ms" && failure.retryable)
        #expect(failure.cost?["module_hash"]?.stringValue?.count == 64, "\(String(describing: failure.cost))")
        #expect((failure.cost?["duration_us"]?.intValue ?? 0) >= 200_000, "\(String(describing: failure.cost))")
        // Then the budget stops the guest and frees its thread.
        let deadline = ContinuousClock.now + .seconds(300)
        while runtime.guestCallsInProgress > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(runtime.guestCallsInProgress == 0, "the fuel budget stops a guest past its deadline")
        let fuel = await self.failure(path, config: ["fuel": 100_000])
        #expect(fuel == .permanent("plugin used up its fuel budget of 100000 in handle"))
    }

    @Test func memoryCannotGrowPastTheLimit() async throws {
        let bomb = try PluginModules.memoryBomb()
        let failure = await failure(bomb, config: ["memory_pages": 4])
        #expect(failure?.retryable == false)
        #expect(failure?.message.hasPrefix("plugin exceeded its memory limit of 4 pages in handle") == true)
    }

    @Test func badResultsFailWithoutTouchingMemoryOutOfBounds() async throws {
        let outside = try PluginModules.abi(handle: "(i64.or (i64.shl (i64.const 70000) (i64.const 32)) (i64.const 4))")
        #expect(
            await failure(outside)
                == .permanent("plugin result (pointer 70000, length 4) is outside its 65536-byte memory")
        )
        let tooLong = try PluginModules.abi(
            handle: "(i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 65530))"
        )
        #expect(
            await failure(tooLong)
                == .permanent("plugin result (pointer 16, length 65530) is outside its 65536-byte memory")
        )
        let huge = try PluginModules.abi(handle: "(i64.const 4294967295)")
        #expect(await failure(huge) == .permanent("plugin output of 4294967295 bytes exceeds the 16 MiB limit"))
        let text = try PluginModules.returning("not json")
        #expect(await failure(text)?.message.hasPrefix("plugin output is not valid JSON") == true)
        let badAlloc = try PluginModules.write(
            wat2wasm(
                """
                (module (memory (export "memory") 1)
                  (func (export "alloc") (param i32) (result i32) (i32.const 65530))
                  (func (export "handle") (param i32 i32) (result i64) (i64.const 0)))
                """
            )
        )
        #expect(
            await failure(badAlloc)?.message.hasPrefix("plugin alloc returned 65530, outside its 65536-byte memory")
                == true
        )
    }

    @Test func trapsAndStackExhaustionFailOnlyTheCall() async throws {
        let trap = try PluginModules.abi(handle: "unreachable")
        #expect(await failure(trap)?.message.hasPrefix("plugin trapped in handle") == true)
        let recursion = try PluginModules.abi(
            handle: "(call $deep (i32.const 0)) (i64.const 0)",
            extra: "(func $deep (param i32) (call $deep (i32.add (local.get 0) (i32.const 1))))"
        )
        let deep = await failure(recursion)
        #expect(deep?.retryable == false)
        #expect(deep?.message.hasPrefix("plugin trapped in handle") == true)
        #expect((deep?.message.count ?? 0) < 400, "a trap's backtrace is truncated")
        // The runtime is fine afterwards.
        let ok = try PluginModules.returning(#"{"ok":true}"#)
        #expect(
            try await runtime.invoke(path: ok, config: nil, input: envelope(""), timeout: .seconds(5)).get().output == [
                "ok": true
            ]
        )
    }

    @Test func aChangedFileIsReloaded() async throws {
        var configuration = WasmConfiguration()
        configuration.fileCheckInterval = .zero
        let reloading = WasmRuntime(configuration: configuration)
        let v1 = try PluginModules.returning(#"{"version":1}"#)
        let v2 = try PluginModules.returning(#"{"version":2,"longer":true}"#)
        let path = PluginModules.directory.appendingPathComponent("live-\(UUID().uuidString).wasm").path
        try FileManager.default.copyItem(atPath: v1, toPath: path)
        #expect(
            try await reloading.invoke(path: path, config: nil, input: envelope(""), timeout: .seconds(5)).get().output
                == ["version": 1]
        )
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: v2, toPath: path)
        #expect(
            try await reloading.invoke(path: path, config: nil, input: envelope(""), timeout: .seconds(5)).get().output
                == ["version": 2, "longer": true]
        )
    }
}

extension WasmRuntimeTests {
    @Test func failedCallsCarryWhatTheyCost() async throws {
        // Grows to its limit, then traps: the cost shows the fuel it burnt and the pages it reached.
        let bomb = try PluginModules.memoryBomb()
        guard
            case .failure(let failure) = await runtime.invoke(
                path: bomb,
                config: ["memory_pages": 4],
                input: envelope("x"),
                timeout: .seconds(5)
            )
        else {
            Issue.record("the memory bomb succeeded")
            return
        }
        let cost = try #require(failure.cost, "\(failure)")
        #expect((cost["fuel"]?.intValue ?? 0) > 0, "\(cost)")
        #expect(cost["peak_memory_pages"] == 4, "\(cost)")
        #expect(cost["module_hash"]?.stringValue?.count == 64, "\(cost)")
        #expect(cost["duration_us"]?.intValue != nil, "\(cost)")
        // A call that never reached a module cost nothing worth keeping.
        let missing = await runtime.invoke(
            path: "/no/such.wasm",
            config: nil,
            input: envelope("x"),
            timeout: .seconds(5)
        )
        guard case .failure(let notFound) = missing else {
            Issue.record("a missing module ran")
            return
        }
        #expect(notFound.cost == nil)
    }

    @Test func aFileReplacedWithAModuleThatImportsIsRefusedAtTheNextCall() async throws {
        var configuration = WasmConfiguration()
        configuration.fileCheckInterval = .zero
        let reloading = WasmRuntime(configuration: configuration)
        let path = PluginModules.directory.appendingPathComponent("swapped-\(UUID().uuidString).wasm").path
        try FileManager.default.copyItem(atPath: try PluginModules.returning(#"{"ok":true}"#), toPath: path)
        try reloading.check(path: path, config: nil)
        #expect(
            try await reloading.invoke(path: path, config: nil, input: envelope(""), timeout: .seconds(5)).get().output
                == ["ok": true]
        )
        // Registered as fine; then the file is replaced by one that would need a host function.
        let importing = try PluginModules.write(
            wat2wasm(
                #"""
                (module (import "env" "now" (func (result i64))) (memory (export "memory") 1)
                  (func (export "alloc") (param i32) (result i32) (i32.const 16))
                  (func (export "handle") (param i32 i32) (result i64) (call 0)))
                """#
            )
        )
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: importing, toPath: path)
        let result = await reloading.invoke(path: path, config: nil, input: envelope(""), timeout: .seconds(5))
        guard case .failure(let failure) = result else {
            Issue.record("a module with an import ran: \(result)")
            return
        }
        #expect(
            failure.message
                == "plugin module \(path) is refused: module imports env.now: plugins may not import host functions"
        )
        #expect(!failure.retryable)
    }

    @Test func aCallInFlightFinishesOnTheModuleItStartedWith() async throws {
        var configuration = WasmConfiguration()
        configuration.fileCheckInterval = .zero
        configuration.threads = 2
        let reloading = WasmRuntime(configuration: configuration)
        // v1 counts down two million before it answers: seconds at -Onone, long enough to be caught.
        let text = #"{"version":1}"#
        let v1 = try PluginModules.abi(
            handle: """
                (local $i i32)
                (local.set $i (i32.const 2000000))
                (block $done
                  (loop $count
                    (br_if $done (i32.eqz (local.get $i)))
                    (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                    (br $count)))
                (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const \(text.utf8.count)))
                """,
            extra: #"(data (i32.const 16) "{\"version\":1}")"#
        )
        let v2 = try PluginModules.returning(#"{"version":2}"#)
        let path = PluginModules.directory.appendingPathComponent("inflight-\(UUID().uuidString).wasm").path
        try FileManager.default.copyItem(atPath: v1, toPath: path)

        async let first = reloading.invoke(path: path, config: nil, input: envelope(""), timeout: .seconds(120))
        let startedBy = ContinuousClock.now + .seconds(60)
        while reloading.guestCallsInProgress == 0 && ContinuousClock.now < startedBy {
            try await Task.sleep(for: .milliseconds(5))
        }
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: v2, toPath: path)
        let second = try await reloading.invoke(path: path, config: nil, input: envelope(""), timeout: .seconds(60))
            .get()
        #expect(second.output == ["version": 2], "the next call runs the new file")
        #expect(reloading.guestCallsInProgress == 1, "while the first call is still running")
        let old = try await first.get()
        #expect(old.output == ["version": 1], "the call in flight finished on the module it started with")
    }
}

/// The Embedded Swift example, built with the toolchain during the test run.
@Suite struct EmbeddedSwiftPluginTests {
    @Test func theClassifierInEmbeddedSwift() async throws {
        let script = PluginModules.examples.deletingLastPathComponent().appendingPathComponent("swift/build.sh")
        let output = PluginModules.directory.appendingPathComponent("swift-example")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        for file in ["build.sh", "rt.c", "TextClassifier.swift"] {
            try FileManager.default.copyItem(
                at: script.deletingLastPathComponent().appendingPathComponent(file),
                to: output.appendingPathComponent(file)
            )
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [output.appendingPathComponent("build.sh").path]
        process.standardOutput = FileHandle.nullDevice
        try await process.runToExit()
        try #require(process.terminationStatus == 0, "build.sh failed")
        let module = output.appendingPathComponent("text_classifier_swift.wasm").path
        let runtime = WasmRuntime()
        try runtime.check(path: module, config: nil)
        let input: JSON = ["params": ["text": "limited offer ends today"], "context": ["data": [:]], "attempt": 1]
        let call = try await runtime.invoke(path: module, config: nil, input: input, timeout: .seconds(5)).get()
        #expect(call.output == ["category": "spam", "confidence": 0.95, "input_length": 24])
    }
}
