@testable import FakeProviderKit
import Testing

@Suite struct RouteTests {
    @Test func knobSegmentIsOptional() throws {
        let plain = try Route.parse(method: "POST", path: "/openai/v1/chat/completions", query: nil)
        #expect(plain.provider == .openai)
        #expect(plain.endpoint == .chatCompletions)
        #expect(plain.knobs == .none)
        #expect(plain.prefix == "/openai")

        let knobbed = try Route.parse(method: "POST", path: "/groq/latency=50,status=429,chunks=7/v1/embeddings", query: nil)
        #expect(knobbed.endpoint == .embeddings)
        #expect(knobbed.knobs.latencyMilliseconds == 50)
        #expect(knobbed.knobs.status == 429)
        #expect(knobbed.knobs.chunks == 7)
        #expect(knobbed.prefix == "/groq/latency=50,status=429,chunks=7")
    }

    @Test func azureNeedsDeploymentAndAPIVersion() throws {
        let route = try Route.parse(
            method: "POST",
            path: "/azure-openai/cut_after=1/openai/deployments/my-gpt/chat/completions",
            query: "api-version=2024-10-21"
        )
        #expect(route.deployment == "my-gpt")
        #expect(route.knobs.cutAfter == 1)
        #expect(throws: Route.Failure.missingAPIVersion) {
            try Route.parse(method: "POST", path: "/azure-openai/openai/deployments/d/embeddings", query: nil)
        }
        let v1 = try Route.parse(method: "POST", path: "/azure-openai/openai/v1/chat/completions", query: nil)
        #expect(v1.deployment == nil)
    }

    @Test func perplexityServesWithoutV1() throws {
        #expect(try Route.parse(method: "POST", path: "/perplexity/chat/completions", query: nil).endpoint == .chatCompletions)
        #expect(throws: Route.Failure.notFound(.openai)) {
            try Route.parse(method: "POST", path: "/openai/chat/completions", query: nil)
        }
        #expect(throws: Route.Failure.notFound(nil)) {
            try Route.parse(method: "POST", path: "/no-such-provider/v1/messages", query: nil)
        }
    }

    @Test func badKnobsAreRejected() {
        for segment in ["status=200", "latency=-1", "usage_style=sometimes", "nonsense=1", "chunks=0", "error=no_such_fixture"] {
            #expect(throws: Route.Failure.self) {
                try Route.parse(method: "POST", path: Substring("/openai/\(segment)/v1/chat/completions"), query: nil)
            }
        }
    }

    @Test func textIsSplitIntoTheRequestedChunks() {
        #expect(ChatPlan.split("Echo: hi", into: 3, padding: true).joined() == "Echo: hi")
        #expect(ChatPlan.split("Echo: hi", into: 3, padding: true).count == 3)
        let padded = ChatPlan.split("ab", into: 5, padding: true)
        #expect(padded.count == 5)
        #expect(padded.allSatisfy { !$0.isEmpty })
    }
}
