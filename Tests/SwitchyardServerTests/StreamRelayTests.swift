#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// The in-place SSE relay: however the provider's bytes are cut into reads, the client gets the same
/// events byte for byte (minus the usage chunk it did not ask for) and the same usage is read.
@Suite struct StreamRelayTests {
    struct Relayed: Equatable {
        var bytes: [UInt8]
        var usage: Usage?
        var done: Bool
        var finish: Bool
        var error: Bool
    }

    func relay(_ reads: [[UInt8]], strip: Bool = true) -> Relayed {
        var relay = StreamRelay(stripUsageChunk: strip, flavor: .standard)
        var out = ByteBuffer()
        for read in reads { relay.process(ByteBuffer(bytes: read), into: &out) }
        relay.finish(into: &out)
        return Relayed(
            bytes: Array(buffer: out), usage: relay.usage, done: relay.sawDone, finish: relay.sawFinish,
            error: relay.sawError)
    }

    @Test func everySplitPointGivesTheSameResult() throws {
        for file in ["chat-stream-text.txt", "chat-stream-tool-calls.txt", "chat-stream-error-midstream.txt"] {
            let transcript = try Fixtures.bytes("openai", file)
            let whole = relay([transcript])
            for split in 0...transcript.count {
                let parts = [Array(transcript[..<split]), Array(transcript[split...])]
                #expect(relay(parts) == whole, "\(file) split at \(split)")
            }
            let bytewise = relay(transcript.map { [$0] })
            #expect(bytewise == whole, "\(file) byte by byte")
        }
    }

    @Test func keepsEverythingButTheUsageChunkAndReadsIt() throws {
        let transcript = try Fixtures.bytes("openai", "chat-stream-text.txt")
        let stripped = relay([transcript], strip: true)
        let kept = relay([transcript], strip: false)
        #expect(kept.bytes == transcript)
        #expect(stripped.usage != nil && stripped.usage == kept.usage)
        #expect(stripped.done && stripped.finish && !stripped.error)
        var parser = SSEParser()
        let original = parser.feed(transcript)
        var reparser = SSEParser()
        let relayed = reparser.feed(stripped.bytes)
        #expect(relayed.count == original.count - 1)
        #expect(relayed.allSatisfy { !String(decoding: $0.data, as: UTF8.self).contains(#""choices":[]"#) })
    }

    @Test func commentsMultiLineEventsAndKeysInsideStringsAreHandled() {
        let events = [
            ": keep-alive\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"say \\\"usage\\\": {\\\"prompt_tokens\\\":9} \\\"error\\\": {\"}}]}\n\n",
            "event: message\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}\n\n",
            "data: [DONE]\n\n",
        ]
        let bytes = Array(events.joined().utf8)
        let result = relay([bytes])
        #expect(result.usage?.totalInput == 3 && result.usage?.totalOutput == 4)
        #expect(!result.error, "keys inside a string are not keys")
        #expect(result.finish && result.done)
        #expect(String(decoding: result.bytes, as: UTF8.self) == events[0] + events[1] + events[2] + events[4])
        for split in 0...bytes.count {
            #expect(relay([Array(bytes[..<split]), Array(bytes[split...])]) == result, "split at \(split)")
        }
    }

    @Test func crLineEndsSwitchToTheGeneralParser() {
        let lf = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
        let crlf = "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}\r\n\r\ndata: [DONE]\r\n\r\n"
        let result = relay([Array(lf.utf8), Array(crlf.utf8)])
        #expect(result.finish && result.done)
        var parser = SSEParser()
        #expect(parser.feed(result.bytes).count == 3)
    }

    @Test func costHeaderIsFixedPoint() {
        #expect(AnswerContext.formatCost(0) == "0.00000000")
        #expect(AnswerContext.formatCost(0.000125) == "0.00012500")
        #expect(AnswerContext.formatCost(12.5) == "12.50000000")
        #expect(AnswerContext.formatCost(0.123456789) == "0.12345679")
    }

    @Test(arguments: [
        ("Name:\tx\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n", 2),
        ("Cpus_allowed:\t1\n", 1),
        ("Cpus_allowed:\t2\n", 1),
        ("Cpus_allowed:\tf\n", 4),
        ("Cpus_allowed:\t80\n", 1),
        ("Cpus_allowed:\tff\n", 8),
        ("Cpus_allowed:\tFF\n", 8),
        ("Cpus_allowed:\ta5\n", 4),
        ("Cpus_allowed:\tffffffff,00000002\n", 33),
        ("Cpus_allowed:\t00000000,00000000,00000000,00000001\n", 1),
        ("Cpus_allowed:\tffffffff,ffffffff,ffffffff,ffffffff\n", 128),
        ("Cpus_allowed:\t00000000,00000000\n", 0),
        // The list line sorts first in some kernels' output and must not be mistaken for the mask.
        ("Cpus_allowed_list:\t0-63\nCpus_allowed:\t10\n", 1),
        ("Cpus_allowed_list:\t0-63\nMems_allowed:\t1\n", nil),
        ("Name:\tx\n", nil),
        ("Cpus_allowed:\tzz\n", nil),
        ("Cpus_allowed:\t0-3\n", nil),
    ] as [(String, Int?)])
    func affinityMaskIsCounted(status: String, expected: Int?) {
        #expect(EventLoopSizing.allowedCPUCount(status: status) == expected, "\(status.debugDescription)")
    }

    #if os(Linux)
    /// The live count is what the kernel says this process may run on: checked against
    /// `sched_getaffinity(2)` and against the `Cpus_allowed_list` line, both read here independently.
    @Test func affinityCountMatchesTheKernel() throws {
        let live = try #require(EventLoopSizing.allowedCPUCount(), "/proc/self/status is readable on Linux")
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let listLine = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let fromList = try #require(Self.countCPUList(listLine.dropFirst("Cpus_allowed_list:".count)))
        #expect(live == fromList, "Cpus_allowed_list: \(listLine)")
        #expect(live == (try #require(Self.schedGetaffinityCount())), "sched_getaffinity")
        #expect(live >= 1)
    }

    /// `0-3,8,10-11` → 7.
    static func countCPUList(_ list: Substring) -> Int? {
        var count = 0
        for range in list.trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let bounds = range.split(separator: "-").map { Int($0) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                count += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                count += high - low + 1
            default:
                return nil
            }
        }
        return count
    }

    /// CPUs in this thread's affinity mask, from `sched_getaffinity(2)` (looked up at run time: Glibc's
    /// Swift module does not export the `_GNU_SOURCE` declaration).
    static func schedGetaffinityCount() -> Int? {
        typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getaffinity") else { return nil }
        let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
        var mask = [UInt8](repeating: 0, count: 1024)  // 8192 CPUs
        let result = mask.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress!) }
        guard result == 0 else { return nil }
        return mask.reduce(0) { $0 + $1.nonzeroBitCount }
    }
    #endif
}
