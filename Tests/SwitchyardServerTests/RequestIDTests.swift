import Testing

@testable import SwitchyardServer
import SwitchyardCore

@Suite struct RequestIDTests {
    @Test func freshIdsAreUniqueAndWellFormed() {
        var seen = Set<String>()
        for _ in 0..<20_000 {
            let id = RequestID.make()
            #expect(id.count == 28 && id.hasPrefix("req_"))
            #expect(id.utf8.dropFirst(4).allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            seen.insert(id)
        }
        #expect(seen.count == 20_000)
    }

    @Test func saneClientIdsAreKept() {
        #expect(RequestID.resolve("trace-42") == "trace-42")
        #expect(RequestID.resolve("has space").hasPrefix("req_"))
        #expect(RequestID.resolve(String(repeating: "a", count: 129)).hasPrefix("req_"))
        #expect(RequestID.resolve(nil).hasPrefix("req_"))
    }

    @Test func mixIsABijectionOnASample() {
        let outputs = Set((0..<10_000 as Range<UInt64>).map(RequestID.mix))
        #expect(outputs.count == 10_000)
    }
}
