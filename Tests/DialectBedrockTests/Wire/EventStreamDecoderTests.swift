import Foundation
import Testing
@testable import DialectBedrock
import SwitchyardCore

/// One message as `*.decoded.txt` describes it.
struct DecodedTranscriptMessage {
    var offset: Int
    var totalLength: Int
    var headersLength: Int
    var preludeCRC: UInt32
    var messageCRC: UInt32
    var headers: [(String, String)] = []
    var payload = ""

    /// Parses the `## message N @ offset …` blocks of a decoded transcript.
    static func parse(_ text: String) -> [DecodedTranscriptMessage] {
        var messages: [DecodedTranscriptMessage] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if line.hasPrefix("## message") {
                var fields: [String: String] = [:]
                for token in line.split(separator: " ") where token.contains("=") {
                    let pair = token.split(separator: "=", maxSplits: 1)
                    fields[String(pair[0])] = String(pair[1])
                }
                let offset = line.components(separatedBy: "@ offset ").last?.split(separator: ":").first.flatMap { Int($0) }
                messages.append(
                    DecodedTranscriptMessage(
                        offset: offset ?? -1, totalLength: Int(fields["total_length"] ?? "") ?? -1,
                        headersLength: Int(fields["headers_length"] ?? "") ?? -1,
                        preludeCRC: UInt32(fields["prelude_crc"]?.dropFirst(2) ?? "", radix: 16) ?? 0,
                        messageCRC: UInt32(fields["message_crc"]?.dropFirst(2) ?? "", radix: 16) ?? 0))
            } else if line.hasPrefix("header "), !messages.isEmpty {
                let rest = line.dropFirst("header ".count)
                let name = rest.prefix { $0 != " " }
                #expect(rest.contains(" (string) = "), "only string headers are expected: \(line)")
                let value = rest.components(separatedBy: " (string) = ").dropFirst().joined(separator: " (string) = ")
                messages[messages.count - 1].headers.append((String(name), value))
            } else if line.hasPrefix("payload "), !messages.isEmpty {
                messages[messages.count - 1].payload = String(line.dropFirst("payload ".count))
            }
        }
        return messages
    }
}

func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
}

@Suite struct EventStreamDecoderTests {
    static let streams = [
        "converse-stream-text.eventstream", "converse-stream-tool-use.eventstream",
        "converse-stream-exception.eventstream",
    ]

    @Test func manifestListsTheStreamsTested() throws {
        #expect(try BedrockFixtures.entries(kind: "stream").map(\.file) == Self.streams.sorted())
    }

    @Test(arguments: streams)
    func framesMatchTheDecodedTranscript(_ file: String) throws {
        let bytes = try BedrockFixtures.bytes(file)
        let expected = DecodedTranscriptMessage.parse(
            try BedrockFixtures.text(file.replacingOccurrences(of: ".eventstream", with: ".decoded.txt")))
        let frames = try EventStreamDecoder.decodeAll(bytes)
        try #require(frames.count == expected.count)
        #expect(!frames.isEmpty)
        for (frame, message) in zip(frames, expected) {
            #expect(frame.headers.map(\.name) == message.headers.map(\.0))
            #expect(frame.headers.map(\.value) == message.headers.map { EventStreamHeaderValue.string($0.1) })
            #expect(String(decoding: frame.payload, as: UTF8.self) == message.payload)
            // The CRCs in the file are the transcript's; re-encoding must reproduce the very same frame.
            let wire = Array(bytes[message.offset..<message.offset + message.totalLength])
            #expect(readUInt32(wire, at: 0) == UInt32(message.totalLength))
            #expect(readUInt32(wire, at: 4) == UInt32(message.headersLength))
            #expect(readUInt32(wire, at: 8) == message.preludeCRC)
            #expect(readUInt32(wire, at: message.totalLength - 4) == message.messageCRC)
            #expect(try frame.encoded() == wire)
        }
        #expect(try frames.flatMap { try $0.encoded() } == bytes)
    }

    @Test(arguments: streams)
    func byteByByteEqualsWhole(_ file: String) throws {
        let bytes = try BedrockFixtures.bytes(file)
        var decoder = EventStreamDecoder()
        var frames: [EventStreamFrame] = []
        for byte in bytes {
            frames += try decoder.feed([byte])
        }
        #expect(decoder.bufferedByteCount == 0)
        #expect(frames == (try EventStreamDecoder.decodeAll(bytes)))
    }

    @Test func corruptedPayloadFailsTheMessageCRC() throws {
        var bytes = try BedrockFixtures.bytes("converse-stream-text.eventstream")
        bytes[120] ^= 0x01  // inside the first frame's payload
        #expect(throws: EventStreamError.self) { try EventStreamDecoder.decodeAll(bytes) }
        do {
            _ = try EventStreamDecoder.decodeAll(bytes)
        } catch {
            #expect(error.kind == .messageChecksumMismatch)
        }
    }

    @Test func corruptedPreludeFailsThePreludeCRC() throws {
        var bytes = try BedrockFixtures.bytes("converse-stream-text.eventstream")
        bytes[3] ^= 0x40  // the first frame's total length
        var decoder = EventStreamDecoder()
        do {
            _ = try decoder.feed(bytes)
            Issue.record("a corrupted prelude was accepted")
        } catch {
            #expect(error.kind == .preludeChecksumMismatch)
        }
        // The stream cannot be resynchronised: later bytes fail the same way.
        #expect(throws: EventStreamError.self) { try decoder.feed([0]) }
    }

    @Test func everySingleByteCorruptionIsRejected() throws {
        let frame = try EventStreamDecoder.decodeAll(try BedrockFixtures.bytes("converse-stream-text.eventstream"))[0]
        let wire = try frame.encoded()
        for position in wire.indices {
            var bad = wire
            bad[position] ^= 0x20
            var decoder = EventStreamDecoder()
            // A corrupted length may make the decoder wait for more bytes; it must never yield a frame.
            let frames = (try? decoder.feed(bad)) ?? []
            #expect(frames.isEmpty, "corruption at byte \(position) went unnoticed")
        }
    }

    @Test func truncatedBodyIsAnError() throws {
        let bytes = try BedrockFixtures.bytes("converse-stream-text.eventstream")
        #expect(throws: EventStreamError.self) { try EventStreamDecoder.decodeAll(bytes.dropLast(3)) }
    }

    @Test func everyHeaderTypeRoundTrips() throws {
        let frame = EventStreamFrame(
            headers: [
                EventStreamHeader("t", .bool(true)), EventStreamHeader("f", .bool(false)),
                EventStreamHeader("b", .byte(-3)), EventStreamHeader("s", .short(-300)),
                EventStreamHeader("i", .integer(-70_000)), EventStreamHeader("l", .long(Int64.min + 1)),
                EventStreamHeader("bytes", .bytes([0, 1, 255])), .string("str", "héllo"),
                EventStreamHeader("ts", .timestamp(1_768_478_400_000)),
                EventStreamHeader("id", .uuid(Array(0..<16))),
            ],
            payload: Array("{}".utf8))
        let wire = try frame.encoded()
        #expect(try EventStreamDecoder.decodeAll(wire) == [frame])
        #expect(frame.stringHeader("str") == "héllo")
        #expect(frame.header("b") == .byte(-3))
    }

    @Test func encoderRefusesWhatTheFormatCannotHold() {
        let longName = EventStreamFrame(headers: [.string(String(repeating: "n", count: 256), "v")], payload: [])
        #expect(throws: EventStreamError.self) { try longName.encoded() }
        let badUUID = EventStreamFrame(headers: [EventStreamHeader("id", .uuid([1, 2]))], payload: [])
        #expect(throws: EventStreamError.self) { try badUUID.encoded() }
    }

    @Test func unknownHeaderTypeIsRejected() throws {
        // A frame whose one header claims type 10, with valid CRCs so only the header parser can object.
        let headers: [UInt8] = [1, UInt8(ascii: "x"), 10]
        var wire: [UInt8] = []
        wire.appendBigEndian(UInt32(16 + headers.count))
        wire.appendBigEndian(UInt32(headers.count))
        wire.appendBigEndian(CRC32.checksum(wire))
        wire += headers
        wire.appendBigEndian(CRC32.checksum(wire))
        do {
            _ = try EventStreamDecoder.decodeAll(wire)
            Issue.record("an unknown header type was accepted")
        } catch {
            #expect(error.kind == .invalidHeader)
        }
    }
}
