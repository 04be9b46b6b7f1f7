/// What a signal asks of an instance (ORCH8-SPEC §1.7, §7.6).
///
/// On the wire this is an externally tagged enum: `"pause"`, `"resume"`, `"cancel"`, `"update_context"`
/// or `{"custom": "<name>"}`. The string `"custom:<name>"` is only the display and storage form
/// (``displayName``); JSON bodies must use the object form.
public enum SignalType: Sendable, Hashable, CustomStringConvertible {
    case pause
    case resume
    case cancel
    /// Merges the top-level keys of `payload.data` into `context.data`.
    case updateContext
    /// A named signal; `human_input:<block_id>` answers a `wait_for_input` gate.
    case custom(String)

    /// The form stored in `signal_inbox.signal_type` and shown by the CLI: `pause`, `custom:<name>`.
    public var displayName: String {
        switch self {
        case .pause: "pause"
        case .resume: "resume"
        case .cancel: "cancel"
        case .updateContext: "update_context"
        case .custom(let name): "custom:\(name)"
        }
    }

    /// Parses the display form written by ``displayName``; nil for anything else.
    public init?(displayName: String) {
        switch displayName {
        case "pause": self = .pause
        case "resume": self = .resume
        case "cancel": self = .cancel
        case "update_context": self = .updateContext
        default:
            guard displayName.hasPrefix("custom:") else { return nil }
            self = .custom(String(displayName.dropFirst("custom:".count)))
        }
    }

    public var description: String { displayName }

    /// An answer to a human gate (`human_input:<block_id>`), which the gate reads itself rather than
    /// the engine's signal handling.
    public var isHumanInput: Bool {
        if case .custom(let name) = self { return name.hasPrefix("human_input:") }
        return false
    }
}
