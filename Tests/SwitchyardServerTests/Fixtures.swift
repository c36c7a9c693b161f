import Foundation

/// Provider transcripts copied from shared/fixtures (Tests/Fixtures/providers).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/providers")

    static func bytes(_ provider: String, _ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(provider).appendingPathComponent(file)))
    }
}
