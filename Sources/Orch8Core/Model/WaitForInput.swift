/// A human gate before a step's handler runs (`wait_for_input`, ORCH8-SPEC §7.7).
public struct WaitForInput: Sendable, Hashable {
    /// One answer a human may give.
    public struct Choice: Sendable, Hashable, Codable {
        /// What the approver sees.
        public var label: String
        /// What is stored and must be sent back in the `human_input:<block_id>` signal.
        public var value: String

        /// Creates a choice.
        public init(label: String, value: String) {
            self.label = label
            self.value = value
        }
    }

    /// The choices used when none are given: Yes/`yes`, No/`no`.
    public static let defaultChoices = [Choice(label: "Yes", value: "yes"), Choice(label: "No", value: "no")]

    /// Text shown to the approver.
    public var prompt: String?
    /// How long to wait, measured from when the step was first reached.
    public var timeout: Milliseconds?
    /// Handler that escalates on timeout; without one a timeout fails the instance.
    public var escalationHandler: String?
    /// The accepted answers as written; nil means ``defaultChoices`` (see ``effectiveChoices``).
    /// Kept optional so a definition reads back exactly as it was posted.
    public var choices: [Choice]?
    /// The `context.data` key that receives the answer; the block id when absent.
    public var storeAs: String?
    /// Whether the approver may attach a comment.
    public var allowComment: Bool

    /// Creates a gate.
    public init(
        prompt: String? = nil,
        timeout: Milliseconds? = nil,
        escalationHandler: String? = nil,
        choices: [Choice]? = nil,
        storeAs: String? = nil,
        allowComment: Bool = false
    ) {
        self.prompt = prompt
        self.timeout = timeout
        self.escalationHandler = escalationHandler
        self.choices = choices
        self.storeAs = storeAs
        self.allowComment = allowComment
    }

    /// The answers the gate accepts: ``choices``, or Yes/No when none were given.
    public var effectiveChoices: [Choice] { choices ?? Self.defaultChoices }
}

extension WaitForInput: Codable {
    enum CodingKeys: String, CodingKey {
        case prompt
        case timeout
        case escalationHandler = "escalation_handler"
        case choices
        case storeAs = "store_as"
        case allowComment = "allow_comment"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prompt = try c.decodeIfPresent(String.self, forKey: .prompt)
        timeout = try c.decodeIfPresent(Milliseconds.self, forKey: .timeout)
        escalationHandler = try c.decodeIfPresent(String.self, forKey: .escalationHandler)
        choices = try c.decodeIfPresent([Choice].self, forKey: .choices)
        storeAs = try c.decodeIfPresent(String.self, forKey: .storeAs)
        allowComment = try c.decode(.allowComment, default: false)
    }
}
