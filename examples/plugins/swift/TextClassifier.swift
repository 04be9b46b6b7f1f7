// The guide's text classifier in Embedded Swift: no Foundation, no Codable, so it scans the
// envelope's bytes for "params" and then "text" itself.

@_expose(wasm, "alloc") @_cdecl("alloc")
public func alloc(_ size: Int32) -> Int32 {
    Int32(UInt(bitPattern: UnsafeMutableRawPointer.allocate(byteCount: Int(size), alignment: 8)))
}

@_expose(wasm, "dealloc") @_cdecl("dealloc")
public func dealloc(_ pointer: Int32, _ size: Int32) {}

@_expose(wasm, "handle") @_cdecl("handle")
public func handle(_ pointer: Int32, _ length: Int32) -> Int64 {
    let input = UnsafeBufferPointer(
        start: UnsafePointer<UInt8>(bitPattern: UInt(pointer)), count: Int(length))
    let text = textField(in: input, after: find("\"params\"", in: input, from: 0) ?? 0)
    let category: StaticString
    if contains(text, "buy now") || contains(text, "limited offer") {
        category = "spam"
    } else if contains(text, "invoice") || contains(text, "receipt") {
        category = "transactional"
    } else {
        category = "ham"
    }
    var output: [UInt8] = []
    append("{\"category\":\"", to: &output)
    output.append(contentsOf: UnsafeBufferPointer(start: category.utf8Start, count: category.utf8CodeUnitCount))
    append("\",\"confidence\":0.95,\"input_length\":", to: &output)
    appendDecimal(text.count, to: &output)
    output.append(UInt8(ascii: "}"))
    let result = UnsafeMutablePointer<UInt8>.allocate(capacity: output.count)
    for (index, byte) in output.enumerated() { result[index] = byte }
    return Int64(UInt(bitPattern: result)) << 32 | Int64(output.count)
}

private func append(_ text: StaticString, to output: inout [UInt8]) {
    output.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
}

private func appendDecimal(_ value: Int, to output: inout [UInt8]) {
    var digits: [UInt8] = []
    var rest = value
    repeat {
        digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
        rest /= 10
    } while rest > 0
    output.append(contentsOf: digits.reversed())
}

private func find(_ needle: StaticString, in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
    guard pattern.count <= haystack.count else { return nil }
    var index = start
    while index + pattern.count <= haystack.count {
        var matched = 0
        while matched < pattern.count && haystack[index + matched] == pattern[matched] { matched += 1 }
        if matched == pattern.count { return index }
        index += 1
    }
    return nil
}

private func contains(_ text: [UInt8], _ word: StaticString) -> Bool {
    text.withUnsafeBufferPointer { find(word, in: $0, from: 0) != nil }
}

/// The unescaped string value of `"text"` after `start`, or empty.
private func textField(in json: UnsafeBufferPointer<UInt8>, after start: Int) -> [UInt8] {
    guard var index = find("\"text\"", in: json, from: start) else { return [] }
    index += 6
    while index < json.count && (json[index] == UInt8(ascii: " ") || json[index] == UInt8(ascii: ":")) { index += 1 }
    guard index < json.count, json[index] == UInt8(ascii: "\"") else { return [] }
    index += 1
    var value: [UInt8] = []
    while index < json.count && json[index] != UInt8(ascii: "\"") {
        var byte = json[index]
        if byte == UInt8(ascii: "\\"), index + 1 < json.count {
            index += 1
            byte = json[index] == UInt8(ascii: "n") ? 10 : json[index]
        }
        value.append(byte)
        index += 1
    }
    return value
}
