import Orch8Core
import Testing

@Suite struct PluginDefinitionCodingTests {
    @Test func defaultsAndOmittedDescription() throws {
        let plugin = try decode(
            PluginDefinition.self,
            #"{"name": "score", "plugin_type": "wasm", "source": "/p/score.wasm", "#
                + #""created_at": "2026-05-05T12:00:00Z", "updated_at": "2026-05-05T12:00:00Z"}"#
        )
        #expect(plugin.tenantID == "" && plugin.enabled && plugin.config == .null && plugin.description == nil)
        let json = try encode(plugin)
        #expect(json["tenant_id"] == "" && json["enabled"] == true && json["config"] == .null)
        #expect(json["description"] == nil)
    }

    @Test func fullPluginRoundTripsExactly() throws {
        let input = try JSON.parse(
            #"{"name": "rank", "plugin_type": "grpc", "source": "localhost:50051/rank.Ranker/Rank", "#
                + #""tenant_id": "acme", "enabled": false, "config": {"fuel": 1000}, "description": "ranks leads", "#
                + #""created_at": "2026-05-05T12:00:00Z", "updated_at": "2026-05-06T12:00:00Z"}"#
        )
        let plugin = try JSONValueDecoder().decode(PluginDefinition.self, from: input)
        #expect(plugin.pluginType == .grpc && !plugin.enabled)
        #expect(try encode(plugin) == input)
    }

    @Test func unknownPluginTypeIsRejected() {
        let body =
            #"{"name": "x", "plugin_type": "lua", "source": "s", "created_at": "2026-05-05T12:00:00Z", "#
            + #""updated_at": "2026-05-05T12:00:00Z"}"#
        #expect(
            decodingFailure(PluginDefinition.self, body)
                == "plugin_type: unknown variant `lua`, expected one of `wasm`, `grpc`"
        )
    }
}
