import Foundation
import Orch8Core
import Testing

@testable import Orch8API

/// The JSON Schema subset behind `input_schema` checks.
@Suite struct JSONSchemaTests {
    private func violations(_ value: JSON, _ schemaText: String) throws -> [String] {
        JSONSchema(try JSON.parse(schemaText)).violations(of: value)
    }

    @Test func typesRequiredAndProperties() throws {
        let schema =
            #"{"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "n": {"type": "integer"}}}"#
        #expect(try violations(["name": "Ada", "n": 3], schema).isEmpty)
        #expect(try violations(["name": "Ada", "n": .double(3.0)], schema).isEmpty, "3.0 is an integer")
        #expect(
            try violations(["n": .double(1.5)], schema) == [
                #"at /: "name" is a required property"#, "at /n: 1.5 is not of type \"integer\"",
            ]
        )
        #expect(try violations("text", schema) == [#"at /: "text" is not of type "object""#])
        #expect(try violations(.null, #"{"type": ["string", "null"]}"#).isEmpty)
    }

    @Test func numbersStringsArraysAndEnums() throws {
        #expect(
            try violations(5, #"{"minimum": 6, "maximum": 4}"#) == [
                "at /: 5 is less than the minimum of 6", "at /: 5 is greater than the maximum of 4",
            ]
        )
        #expect(
            try violations(5, #"{"exclusiveMaximum": 5}"#) == ["at /: 5 is greater than or equal to the maximum of 5"]
        )
        #expect(try violations("ab", #"{"minLength": 3}"#) == [#"at /: "ab" is shorter than 3 characters"#])
        #expect(try violations("héllo", #"{"maxLength": 5}"#).isEmpty, "lengths count code points")
        #expect(try violations("abc", #"{"pattern": "^a\\d+$"}"#) == [#"at /: "abc" does not match "^a\d+$""#])
        #expect(
            try violations([1, "x"], #"{"type": "array", "items": {"type": "integer"}, "maxItems": 1}"#) == [
                #"at /: [1,"x"] has more than 1 item"#, #"at /1: "x" is not of type "integer""#,
            ]
        )
        #expect(try violations("c", #"{"enum": ["a", "b"]}"#) == [#"at /: "c" is not one of ["a","b"]"#])
    }

    @Test func additionalPropertiesAndCombinators() throws {
        let closed = #"{"properties": {"a": {}}, "additionalProperties": false}"#
        #expect(
            try violations(["a": 1, "b": 2, "c/d": 3], closed) == [
                "at /: Additional properties are not allowed ('b', 'c/d' were unexpected)"
            ]
        )
        #expect(
            try violations(["x": ["a/b": 1]], #"{"properties": {"x": {"properties": {"a/b": {"type": "string"}}}}}"#)
                == [
                    #"at /x/a~1b: 1 is not of type "string""#
                ]
        )
        #expect(try violations(3, #"{"anyOf": [{"type": "string"}, {"minimum": 4}]}"#).count == 1)
        #expect(try violations(5, #"{"oneOf": [{"minimum": 1}, {"minimum": 2}]}"#).count == 1)
        #expect(
            try violations(5, #"{"not": {"type": "integer"}}"#) == [#"at /: {"type":"integer"} is not allowed for 5"#]
        )
        #expect(try violations(5, "false") == ["at /: False schema does not allow 5"])
    }

    @Test func malformedSchemasAreReported() throws {
        func problems(_ text: String) throws -> [String] { JSONSchema(try JSON.parse(text)).problems() }
        #expect(try problems(#"{"type": "object", "properties": {"a": {"type": "string"}}}"#).isEmpty)
        #expect(try problems("[]") == ["schema: expected an object or a boolean, found array"])
        #expect(try problems(#"{"required": "a"}"#) == ["required: expected an array of strings"])
        #expect(try problems(#"{"minLength": -1}"#) == ["minLength: expected a non-negative integer, found -1"])
        #expect(try problems(#"{"pattern": "("}"#) == ["pattern: invalid regular expression '('"])
        #expect(try problems(#"{"anyOf": [{"type": 3}]}"#).first?.hasPrefix("anyOf[0].type: ") == true)
    }
}
