import Orch8Core

extension InstanceRun {
    /// What the pending signals ask of the run.
    enum SignalAction {
        case proceed
        case pause
        case cancel
    }

    /// Applies pending signals in order (ORCH8-SPEC §7.6), recording their delivery, up to the first
    /// pause or cancel, which the caller carries out. Human-gate answers stay pending for their gate.
    mutating func applySignals() -> SignalAction {
        let signals = pendingSignals
        pendingSignals = []
        for (index, signal) in signals.enumerated() {
            switch signal.signalType {
            case .pause:
                update.deliveredSignals.append(signal.id)
                pendingSignals.append(contentsOf: signals[(index + 1)...].filter(\.signalType.isHumanInput))
                return .pause
            case .cancel:
                update.deliveredSignals.append(signal.id)
                return .cancel
            case .resume:
                update.deliveredSignals.append(signal.id)
            case .updateContext:
                update.deliveredSignals.append(signal.id)
                if instance.context.apply(updateContext: signal.payload) { update.context = instance.context }
            case .custom:
                if signal.signalType.isHumanInput {
                    pendingSignals.append(signal)
                } else {
                    update.deliveredSignals.append(signal.id)
                }
            }
        }
        return .proceed
    }
}
