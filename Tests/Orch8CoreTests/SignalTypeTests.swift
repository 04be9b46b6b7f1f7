import Orch8Core
import Testing

@Suite struct SignalTypeTests {
    @Test(arguments: [
        (#""pause""#, SignalType.pause, "pause"),
        (#""resume""#, .resume, "resume"),
        (#""cancel""#, .cancel, "cancel"),
        (#""update_context""#, .updateContext, "update_context"),
        (#"{"custom": "human_input:approve"}"#, .custom("human_input:approve"), "custom:human_input:approve"),
    ])
    func wireAndDisplayForms(wire: String, signal: SignalType, display: String) throws {
        #expect(try decode(SignalType.self, wire) == signal)
        #expect(try encode(signal) == JSON.parse(wire))
        #expect(signal.displayName == display)
        #expect(SignalType(displayName: display) == signal)
    }

    @Test func displayFormIsNotAcceptedInJSON() {
        #expect(
            decodingFailure(SignalType.self, #""custom:approve""#)
                == "unknown signal type `custom:approve`, expected one of `pause`, `resume`, `cancel`, "
                + #"`update_context` or {"custom": "<name>"}; custom signals are written {"custom": "approve"}"#
        )
    }

    @Test(arguments: [#""Pause""#, #"{"pause": null}"#, #"{"custom": "a", "x": 1}"#, "3", "null"])
    func otherFormsAreRejected(wire: String) {
        #expect(decodingFailure(SignalType.self, wire) != nil)
    }

    @Test func signalRequestBody() throws {
        let request = try decode(
            SignalRequest.self,
            #"{"signal_type": {"custom": "human_input:gate"}, "payload": {"value": "yes"}}"#
        )
        #expect(request == SignalRequest(signalType: .custom("human_input:gate"), payload: ["value": "yes"]))
        #expect(try decode(SignalRequest.self, #"{"signal_type": "pause"}"#).payload == .null)
        #expect(
            decodingFailure(SignalRequest.self, #"{"signal_type": "custom:x"}"#)?.hasPrefix("signal_type: ") == true
        )
    }

    @Test func unknownDisplayNameIsNil() {
        #expect(SignalType(displayName: "stop") == nil)
    }
}
