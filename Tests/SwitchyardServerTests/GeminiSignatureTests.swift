import FakeProviderKit
import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Gemini 3 tool loops through the real server against the fake Gemini, which rejects a replayed call without its
/// thought signature as Gemini 3 does (issue 11 §3). The clients here echo only what most clients echo — a call's
/// id, name and arguments (OpenAI chat) or a `tool_use` block's id, name and input (Anthropic Messages), never
/// `extra_content` — so the signature can only come back through the id.
@Suite struct GeminiSignatureTests {
    static func config(_ fake: RunningFakeProviders) -> String {
        """
        providers:
          gemini: { api_key: AIza-fake, base_url: "\(fake.baseURL(.gemini))" }

        """
    }

    static let tools: JSONValue = [
        [
            "type": "function",
            "function": [
                "name": "get_weather",
                "parameters": ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]],
            ],
        ]
    ]
    static let anthropicTools: JSONValue = [
        [
            "name": "get_weather", "description": "Weather for a city",
            "input_schema": ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]],
        ]
    ]

    /// A call as the client rebuilt it: nothing but id, name and arguments.
    struct Call {
        var id = ""
        var name = ""
        var arguments = ""
    }

    // MARK: Helpers

    func chat(_ h: GatewayHarness, _ body: JSONValue) async throws -> GatewayHarness.Answer {
        try await h.request("/v1/chat/completions", body: JSON.encodeString(body))
    }

    func messages(_ h: GatewayHarness, _ body: JSONValue) async throws -> GatewayHarness.Answer {
        try await h.request("/v1/messages", body: JSON.encodeString(body), headers: [("anthropic-version", "2023-06-01")])
    }

    /// The body of the last request the fake Gemini received.
    func lastGeminiRequest(_ h: GatewayHarness) async throws -> JSONValue {
        let seen = try #require(await h.fake.requests().last { $0.path.contains(":generateContent") || $0.path.contains(":streamGenerateContent") })
        return try JSON.parse(seen.body)
    }

    /// The signature an id carries, read from the documented form `<base>__<base64url, no padding><4-char check>`
    /// independently of the codec, so the test checks the format and not only the codec against itself.
    static func signature(inID id: String) -> String? {
        guard let cut = id.range(of: "__") else { return nil }
        var payload = String(id[cut.upperBound...].dropLast(4))
        payload = payload.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while payload.utf8.count % 4 != 0 { payload += "=" }
        return payload
    }

    /// A signature shaped like the fake's Gemini 3 ones (padded base64 of 300–363 bytes, a message tag first).
    static func looksReal(_ signature: String?) -> Bool {
        guard let signature, let bytes = Data(base64Encoded: signature) else { return false }
        return (300..<364).contains(bytes.count) && bytes.first == 0x0A
    }

    /// The second turn, OpenAI chat: the assistant message rebuilt from id, name and arguments only.
    static func secondTurn(model: String, calls: [Call], stream: Bool = false) -> JSONValue {
        let toolCalls: [JSONValue] = calls.map { call in
            ["id": .string(call.id), "type": "function", "function": ["name": .string(call.name), "arguments": .string(call.arguments)]]
        }
        var messages: [JSONValue] = [
            ["role": "user", "content": "Paris"],
            ["role": "assistant", "content": .null, "tool_calls": .array(toolCalls)],
        ]
        for call in calls {
            messages.append(["role": "tool", "tool_call_id": .string(call.id), "content": "18 C and cloudy"])
        }
        return ["model": .string(model), "messages": .array(messages), "tools": tools, "stream": .bool(stream)]
    }

    /// What the fake Gemini got on the replayed model turn.
    func expectReplayed(_ h: GatewayHarness, signature: String?) async throws {
        let sent = try await lastGeminiRequest(h)
        let contents = try #require(sent["contents"]?.arrayValue)
        #expect(contents.count == 3)
        let part = contents[1]["parts"]?.arrayValue?.first
        #expect(part?["functionCall"]?["name"] == "get_weather")
        #expect(part?["thoughtSignature"]?.stringValue == signature)
        // Our minted id is not Gemini's, so it is not sent as `functionCall.id` — nor its signature suffix.
        #expect(part?["functionCall"]?["id"] == nil)
        let response = contents[2]["parts"]?.arrayValue?.first?["functionResponse"]
        #expect(response?["name"] == "get_weather")
        #expect(response?["id"] == nil)
    }

    // MARK: OpenAI chat

    @Test func chatJSONToolLoopRebuiltFromIdNameArguments() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let model = "gemini/gemini-3-flash-preview"
            let first = try await chat(h, ["model": .string(model), "messages": [["role": "user", "content": "Paris"]], "tools": Self.tools])
            #expect(first.status == 200, "\(first.text)")
            let call = try #require(first.json["choices"]?[0]?["message"]?["tool_calls"]?[0])
            // The signature the fake issued, as the gateway relays it for clients that do echo extra fields.
            let issued = try #require(call["extra_content"]?["google"]?["thought_signature"]?.stringValue)
            #expect(Self.looksReal(issued))
            let id = try #require(call["id"]?.stringValue)
            #expect(id.hasPrefix("call_"))
            #expect(Self.signature(inID: id) == issued)
            let rebuilt = Call(
                id: id, name: call["function"]?["name"]?.stringValue ?? "",
                arguments: call["function"]?["arguments"]?.stringValue ?? "")

            let second = try await chat(h, Self.secondTurn(model: model, calls: [rebuilt]))
            #expect(second.status == 200, "\(second.text)")
            #expect(second.json["choices"]?[0]?["message"]?["content"]?.stringValue == "Echo: Paris")
            try await expectReplayed(h, signature: issued)

            // The replay streamed works the same.
            let streamed = try await chat(h, Self.secondTurn(model: model, calls: [rebuilt], stream: true))
            #expect(streamed.status == 200, "\(streamed.text)")
            #expect(!streamed.text.contains("thought_signature"), "no error in the stream")
            try await expectReplayed(h, signature: issued)
        }
    }

    @Test func chatStreamedToolLoopRebuiltFromDeltas() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let model = "gemini-3.1-pro-preview"  // a bare catalog id
            let first = try await chat(
                h, ["model": .string(model), "messages": [["role": "user", "content": "Paris"]], "tools": Self.tools, "stream": true])
            #expect(first.status == 200, "\(first.text)")
            // Rebuild the call the way stream accumulators do: id and name from the first delta, arguments appended.
            var calls: [Int: Call] = [:]
            var issued: String?
            var idsSeen: [String] = []
            for data in GatewayHarness.events(first.body) where data != "[DONE]" {
                let chunk = try JSON.parse(Array(data.utf8))
                for delta in chunk["choices"]?[0]?["delta"]?["tool_calls"]?.arrayValue ?? [] {
                    let index = delta["index"]?.intValue ?? 0
                    var call = calls[index] ?? Call()
                    if let id = delta["id"]?.stringValue {
                        call.id = id
                        idsSeen.append(id)
                    }
                    if let name = delta["function"]?["name"]?.stringValue { call.name += name }
                    if let fragment = delta["function"]?["arguments"]?.stringValue { call.arguments += fragment }
                    if let signature = delta["extra_content"]?["google"]?["thought_signature"]?.stringValue { issued = signature }
                    calls[index] = call
                }
            }
            #expect(calls.count == 1)
            let call = try #require(calls[0])
            let signature = try #require(issued)
            #expect(Self.looksReal(signature))
            // The id is announced once, at the call's start, and already carries the signature.
            #expect(idsSeen == [call.id])
            #expect(Self.signature(inID: call.id) == signature)

            let second = try await chat(h, Self.secondTurn(model: model, calls: [call]))
            #expect(second.status == 200, "\(second.text)")
            try await expectReplayed(h, signature: signature)
        }
    }

    @Test func chatWithoutSignatureStillFailsTheWayGemini3Does() async throws {
        // The fake really enforces the rule: a plain `call_…` id (another provider's, or a client's own) carries
        // nothing, and Gemini 3's 400 comes back in the client's dialect.
        try await GatewayHarness.run(Self.config) { h in
            let plain = Call(id: "call_AbCdEfGhIjKlMnOpQrStUvWx", name: "get_weather", arguments: #"{"city":"Paris"}"#)
            let answer = try await chat(h, Self.secondTurn(model: "gemini/gemini-3-flash-preview", calls: [plain]))
            #expect(answer.status == 400, "\(answer.text)")
            #expect(answer.json["error"]?["message"]?.stringValue?.contains("thought_signature") == true)
        }
    }

    // MARK: Anthropic Messages

    @Test(arguments: [false, true])
    func messagesToolLoopRebuiltFromToolUse(streamFirstTurn: Bool) async throws {
        try await GatewayHarness.run(Self.config) { h in
            let model = "gemini/gemini-3-flash-preview"
            let question: JSONValue = ["role": "user", "content": "Paris"]
            let first = try await messages(
                h,
                ["model": .string(model), "max_tokens": 256, "messages": [question], "tools": Self.anthropicTools,
                 "stream": .bool(streamFirstTurn)])
            #expect(first.status == 200, "\(first.text)")
            var id = ""
            var name = ""
            var input: JSONValue = [:]
            if streamFirstTurn {
                var partial = ""
                for data in GatewayHarness.events(first.body) {
                    let event = try JSON.parse(Array(data.utf8))
                    if event["type"] == "content_block_start", event["content_block"]?["type"] == "tool_use" {
                        id = event["content_block"]?["id"]?.stringValue ?? ""
                        name = event["content_block"]?["name"]?.stringValue ?? ""
                    }
                    if event["delta"]?["type"] == "input_json_delta" { partial += event["delta"]?["partial_json"]?.stringValue ?? "" }
                }
                input = try JSON.parse(Array(partial.utf8))
            } else {
                let block = try #require(first.json["content"]?.arrayValue?.first { $0["type"] == "tool_use" })
                id = block["id"]?.stringValue ?? ""
                name = block["name"]?.stringValue ?? ""
                input = block["input"] ?? [:]
                #expect(first.json["stop_reason"] == "tool_use")
            }
            // Anthropic's own API requires tool_use ids to match ^[a-zA-Z0-9_-]+$.
            #expect(!id.isEmpty && id.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") })
            let issued = try #require(Self.signature(inID: id))
            #expect(Self.looksReal(issued))

            let second = try await messages(
                h,
                [
                    "model": .string(model), "max_tokens": 256, "tools": Self.anthropicTools,
                    "messages": [
                        question,
                        ["role": "assistant", "content": [["type": "tool_use", "id": .string(id), "name": .string(name), "input": input]]],
                        ["role": "user", "content": [["type": "tool_result", "tool_use_id": .string(id), "content": "18 C and cloudy"]]],
                    ],
                ])
            #expect(second.status == 200, "\(second.text)")
            let text = second.json["content"]?.arrayValue?.first { $0["type"] == "text" }
            #expect(text?["text"]?.stringValue == "Echo: Paris", "\(second.text)")
            try await expectReplayed(h, signature: issued)
        }
    }
}

extension JSONValue {
    fileprivate subscript(_ index: Int) -> JSONValue? {
        guard let items = arrayValue, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
