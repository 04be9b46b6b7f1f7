import Foundation
import Logging
import Orch8Core

extension StepInvocation {
    /// `extra` plus what every log line about a step carries (ORCH8-SPEC §10): `instance_id`,
    /// `block_id`, `tenant_id`, `handler` and `attempt`. Pass it inside the log call, whose metadata
    /// is only built when the level is enabled.
    func logMetadata(_ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata = extra
        metadata["instance_id"] = "\(instanceID.lowercasedText)"
        metadata["block_id"] = "\(blockID)"
        metadata["tenant_id"] = "\(tenantID)"
        metadata["handler"] = "\(handler)"
        metadata["attempt"] = "\(attempt)"
        return metadata
    }
}
