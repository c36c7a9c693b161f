import Foundation
import Testing
import SwitchyardCore
@testable import DialectAnthropic

@Test func dumpForSDK() throws {
    let dir = URL(fileURLWithPath: "/tmp/anthropic-dump")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
    for file in Fixtures.files(prefix: "messages-response-") {
        let decoded = try AnthropicResponse.decode(try Fixtures.bytes(file))
        try write("resp-" + file, JSON.encode(AnthropicResponse.encode(decoded, model: "m")))
    }
    var message = Message.text(.assistant, "Calling.")
    message.reasoning = [.text("DeepSeek-style reasoning", signature: nil)]
    message.toolCalls = [ToolCall(id: "call_abc", name: "get_weather", arguments: #"{"city":"Paris"}"#)]
    var response = ChatResponse(id: "chatcmpl-123", model: "gpt-4o", created: 1, choices: [Choice(index: 0, message: message, finishReason: .toolCalls)], usage: Usage(input: 10, output: 5, cacheRead: 90, reasoning: 7))
    response.extra["usage_extra"] = ["cost": 0.01]
    response.extra["system_fingerprint"] = "fp"
    try write("resp-foreign.json", JSON.encode(AnthropicResponse.encode(response, model: "public")))
    try write("resp-empty.json", JSON.encode(AnthropicResponse.encode(ChatResponse(id: "x", model: "m", created: 0, choices: [], usage: nil), model: "m")))
    for file in Fixtures.files(prefix: "messages-stream-") {
        var encoder = AnthropicStreamEncoder()
        var bytes: [UInt8] = []
        for event in AnthropicStream.decodeTranscript(try Fixtures.bytes(file)) { bytes += encoder.encode(event) }
        bytes += encoder.finish()
        try write("stream-" + file, bytes)
    }
    var encoder = AnthropicStreamEncoder(id: "msg_gw1", model: "public", inputTokens: 42)
    var bytes: [UInt8] = AnthropicStreamEncoder.ping
    for event: StreamEvent in [
        .start(id: "chatcmpl-9", model: "deepseek-reasoner", created: 5), .roleStart(choice: 0),
        .reasoningDelta(choice: 0, text: "think"), .textDelta(choice: 0, text: "Hello"),
        .toolCallStart(choice: 0, index: 0, id: "call_1", name: "f"),
        .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #"{"a":"#), .toolCallArgumentsDelta(choice: 0, index: 0, fragment: "1}"),
        .toolCallStart(choice: 0, index: 1, id: "call_2", name: "g"), .toolCallArgumentsDelta(choice: 0, index: 1, fragment: "{}"),
        .finish(choice: 0, reason: .stop), .usage(Usage(input: 40, output: 9, cacheRead: 2, reasoning: 3)),
    ] { bytes += encoder.encode(event) }
    bytes += encoder.finish()
    try write("stream-foreign.txt", bytes)
    for kind in GatewayError.Kind.allCases {
        let error = GatewayError(kind, "msg \(kind.rawValue)", code: "enforced_spend_limit_reached")
        let status = AnthropicErrors.status(for: error).status
        try write("error-\(status)-\(kind.rawValue).json", JSON.encode(AnthropicErrors.body(for: error, requestID: "req_1")))
    }
}
