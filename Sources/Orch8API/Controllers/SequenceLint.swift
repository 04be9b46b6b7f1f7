import Orch8Core

/// What `POST /sequences` checks beyond structural validation (ORCH8-SPEC §1.5): schemas, which must
/// be usable (400 otherwise), and warnings, which never refuse a sequence.
enum SequenceLint {
    /// Prefixes of handler names that name a plugin rather than a built-in or a worker queue.
    static let pluginSchemes = ["wasm://", "grpc://", "grpcs://", "ap://"]

    /// Malformed `input_schema` and step `output_schema` documents.
    static func schemaProblems(of sequence: SequenceDefinition) -> [String] {
        var problems: [String] = []
        if let schema = sequence.inputSchema {
            problems += JSONSchema(schema).problems().map { "input_schema: \($0)" }
        }
        forEachStep(of: sequence) { step in
            guard let schema = step.outputSchema else { return }
            problems += JSONSchema(schema).problems().map { "block `\(step.id)`: output_schema: \($0)" }
        }
        return problems
    }

    /// Handlers that are not built-ins (with a did-you-mean), templates that can never render, and
    /// `when` guards that do not parse, each naming its block.
    static func warnings(for sequence: SequenceDefinition, builtins: Set<String>) -> [String] {
        var warnings: [String] = []
        func warn(_ blockID: String, _ message: String) { warnings.append("block `\(blockID)`: \(message)") }
        forEachBlock(of: sequence) { block in
            if case .forEach(let loop) = block {
                for problem in Template(.string(loop.collection)).problems {
                    warn(loop.id, "template in collection: \(problem.message)")
                }
            }
            guard let step = block.step else { return }
            if !builtins.contains(step.handler) && !pluginSchemes.contains(where: step.handler.hasPrefix) {
                var message =
                    "handler '\(step.handler)' is not a built-in; steps using it will wait for an external worker"
                if let suggestion = closest(to: step.handler, in: builtins) {
                    message += " (did you mean '\(suggestion)'?)"
                }
                warn(step.id, message)
            }
            for problem in Template(step.params).problems {
                warn(step.id, "template in params: \(problem.message)")
            }
            if let cacheKey = step.cacheKey {
                for problem in Template(.string(cacheKey)).problems {
                    warn(step.id, "template in cache_key: \(problem.message)")
                }
            }
            if let guardText = step.when {
                do {
                    _ = try Orch8Core.Expression(parsing: guardText)
                } catch {
                    warn(step.id, "when: \(error)")
                }
            }
        }
        return warnings
    }

    /// Visits every block of the main tree and of the `on_failure` and `on_cancel` trees.
    static func forEachBlock(of sequence: SequenceDefinition, _ visit: (BlockDefinition) -> Void) {
        let trees = [sequence.blocks, sequence.onFailure ?? [], sequence.onCancel ?? []]
        for root in trees.joined() {
            root.walk { block, _ in visit(block) }
        }
    }

    static func forEachStep(of sequence: SequenceDefinition, _ visit: (StepDefinition) -> Void) {
        forEachBlock(of: sequence) { block in
            if let step = block.step { visit(step) }
        }
    }

    /// The built-in nearest to `name` by edit distance, if it is close enough to be a typo: one edit
    /// for names of up to four characters, two up to eight, three beyond.
    static func closest(to name: String, in candidates: Set<String>) -> String? {
        let limit = name.count <= 4 ? 1 : (name.count <= 8 ? 2 : 3)
        let scored = candidates.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= limit }
        return scored.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    /// Edit distance over characters where a swap of two neighbours counts as one edit, as in the
    /// typo `lgo` for `log` (optimal string alignment).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
