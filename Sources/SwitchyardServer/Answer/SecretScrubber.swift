import SwitchyardConfig
import SwitchyardRouting
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import NIOCore
import SwitchyardCore

/// Keeps a provider's credentials out of what the client receives, wherever the provider quotes them: in an
/// error before the answer (see `AttemptLoop.sanitize`), in a mid-stream error event, or anywhere in a body.
///
/// Streams are scrubbed as bytes on their way to the client, so every path (passthrough, same-dialect,
/// translated) is covered at the one place they all write. A secret split across two reads is caught: when
/// a chunk ends with the start of a secret, those bytes are held back until the next chunk shows whether
/// the secret follows (SSE chunks end with a blank line, so in practice nothing is held).
struct SecretScrubber: Sendable {
    static let mask: [UInt8] = Array("***".utf8)
    /// Secrets shorter than this are not scrubbed: they are not real keys, and masking them would mangle text.
    static let minimumLength = 4

    /// Longest first, so a secret that contains another is masked whole.
    private let secrets: [[UInt8]]
    private var held: [UInt8] = []

    init(provider: GatewayConfig.Provider) {
        secrets = Self.secrets(of: provider).map { Array($0.utf8) }.sorted { $0.count > $1.count }
    }

    /// The credentials a provider's configuration holds (its API key, AWS secret key and session token).
    static func secrets(of provider: GatewayConfig.Provider) -> [String] {
        [provider.apiKey, provider.awsSecretAccessKey, provider.awsSessionToken]
            .compactMap { $0 }.filter { $0.utf8.count >= minimumLength }
    }

    /// The next bytes for the client. Without secrets or anything held, a chunk that holds no secret and
    /// does not end with the start of one is returned as it is.
    mutating func scrub(_ chunk: ByteBuffer) -> ByteBuffer {
        guard !secrets.isEmpty else { return chunk }
        if held.isEmpty {
            let clean = chunk.withUnsafeReadableBytes { !containsSecret($0) && heldTailLength($0) == 0 }
            if clean { return chunk }
        }
        var bytes = held
        bytes.append(contentsOf: chunk.readableBytesView)
        held = []
        var masked = mask(bytes)
        let tail = masked.withUnsafeBytes { heldTailLength($0) }
        if tail > 0 {
            held = Array(masked.suffix(tail))
            masked.removeLast(tail)
        }
        return ByteBuffer(bytes: masked)
    }

    /// Whatever was held back, for the end of the stream.
    mutating func finish() -> ByteBuffer {
        defer { held = [] }
        return ByteBuffer(bytes: held)
    }

    /// A whole body (a buffered answer), scrubbed at once.
    func scrubWhole(_ body: ByteBuffer) -> ByteBuffer {
        guard !secrets.isEmpty else { return body }
        let dirty = body.withUnsafeReadableBytes { containsSecret($0) }
        return dirty ? ByteBuffer(bytes: mask(Array(body.readableBytesView))) : body
    }

    /// Scrubs a message (an error's text).
    func scrub(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        let bytes = Array(text.utf8)
        let dirty = bytes.withUnsafeBytes { containsSecret($0) }
        return dirty ? String(decoding: mask(bytes), as: UTF8.self) : text
    }

    private func containsSecret(_ bytes: UnsafeRawBufferPointer) -> Bool {
        secrets.contains { Self.find($0, in: bytes, from: 0) != nil }
    }

    private func mask(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for secret in secrets {
            var out: [UInt8] = []
            var start = 0
            bytes.withUnsafeBytes { raw in
                while let hit = Self.find(secret, in: raw, from: start) {
                    out.append(contentsOf: raw[start..<hit])
                    out.append(contentsOf: Self.mask)
                    start = hit + secret.count
                }
                out.append(contentsOf: raw[start...])
            }
            bytes = out
        }
        return bytes
    }

    /// How many bytes at the end of `bytes` are a proper prefix of some secret.
    private func heldTailLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        var longest = 0
        for secret in secrets {
            let maxLength = min(secret.count - 1, bytes.count)
            guard maxLength > longest else { continue }
            for length in stride(from: maxLength, to: longest, by: -1)
            where bytes[bytes.count - length] == secret[0]
                && zip(bytes[(bytes.count - length)...], secret).allSatisfy({ $0 == $1 })
            {
                longest = length
                break
            }
        }
        return longest
    }

    /// First index of `needle` at or after `start`: memchr for its first byte, memcmp for the rest
    /// (Glibc's module does not export memmem).
    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, let first = needle.first else { return nil }
        var index = start
        return needle.withUnsafeBytes { key -> Int? in
            guard let keyBase = key.baseAddress else { return nil }
            while bytes.count - index >= key.count,
                let hit = memchr(base + index, Int32(first), bytes.count - index - key.count + 1)
            {
                let offset = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + offset, keyBase, key.count) == 0 { return offset }
                index = offset + 1
            }
            return nil
        }
    }
}
