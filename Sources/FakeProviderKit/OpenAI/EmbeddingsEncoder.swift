#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// `POST /v1/embeddings` (`openai/embeddings-response.json`): one unit-length vector per input,
/// derived from the input text alone, so equal inputs embed equally across runs and processes.
enum EmbeddingsEncoder {
    static let defaultDimensions = 8
    static let maxDimensions = 8192

    /// - Parameter base64: `encoding_format: "base64"` — little-endian float32 bytes, base64
    ///   (the Python SDK asks for this by default).
    static func response(texts: [String], model: String, dimensions: Int, base64: Bool) -> ByteBuffer {
        var json = JSONWriter(capacity: 128 + texts.count * dimensions * 12)
        json.object { json in
            json.field("object", "list")
            json.array("data") { json in
                for (index, text) in texts.enumerated() {
                    let vector = Self.vector(for: text, dimensions: dimensions)
                    json.object { json in
                        json.field("object", "embedding")
                        json.field("index", index)
                        json.key("embedding")
                        if base64 {
                            json.string(Self.base64(vector))
                        } else {
                            json.beginArray()
                            for value in vector { json.float(value) }
                            json.endArray()
                        }
                    }
                }
            }
            json.field("model", model)
            let tokens = texts.reduce(0) { $0 + TokenCount.words($1) }
            json.key("usage")
            UsageEncoder.writePlain(prompt: tokens, completion: nil, into: &json)
        }
        return json.buffer
    }

    /// FNV-1a of the text seeds SplitMix64; components in [-1, 1), then normalised like
    /// OpenAI's embeddings are.
    static func vector(for text: String, dimensions: Int) -> [Float] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        var random = RandomIDs(seed: hash)
        var values = (0..<dimensions).map { _ in Double(random.next() >> 11) / Double(1 << 52) - 1 }
        let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 {
            values = values.map { $0 / norm }
        }
        return values.map { Float($0) }
    }

    static func base64(_ vector: [Float]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }
}
