import AsyncHTTPClient
import Hummingbird
import NIOCore
import SwitchyardCore

/// The loop every streamed answer shares: read the provider's body chunk by chunk, turn each chunk into
/// what the client gets, write it, and stop when the client leaves, the provider fails, the transform
/// says the stream is over, or the stream outlives `limits.max_stream_duration`.
enum StreamPump {
    /// The longest one server-sent event may grow. A provider that never ends an event (no blank line)
    /// would otherwise fill the relay's and the decoders' buffers until the idle timeout.
    static let maxEventBytes = 16 * 1024 * 1024

    enum Ending {
        /// The provider's body ended (or the transform stopped it): the caller writes the tail.
        case upstreamEnded
        /// Writing failed: the client went away. Leaving the loop dropped the provider's body, which
        /// cancels the provider request.
        case clientGone
        /// Reading failed or the duration limit passed: the caller reports it in-stream.
        case upstreamFailed(GatewayError)

        var clientGone: Bool {
            if case .clientGone = self { return true }
            return false
        }

        var failure: GatewayError? {
            if case .upstreamFailed(let failure) = self { return failure }
            return nil
        }
    }

    /// - Parameters:
    ///   - scrubber: masks the provider's credentials in everything written (a provider may quote its key
    ///     in a mid-stream error); `end` flushes what it held back.
    ///   - firstByte: set when the first bytes were written to the client.
    ///   - transform: the bytes for the client (empty for none) and whether to stop reading.
    static func run(
        _ stream: UpstreamStream, to writer: inout any ResponseBodyWriter, until deadline: ContinuousClock.Instant,
        scrubber: inout SecretScrubber, firstByte: inout ContinuousClock.Instant?,
        transform: (ByteBuffer) -> (out: ByteBuffer, stop: Bool)
    ) async -> Ending {
        var first: ByteBuffer? = stream.first
        var rest = stream.rest
        var openEventBytes = 0
        do {
            while true {
                let chunk: ByteBuffer
                if let pending = first {
                    chunk = pending
                    first = nil
                } else if let next = try await rest.next() {
                    chunk = next
                } else {
                    return .upstreamEnded
                }
                if stream.isServerSentEvents {
                    openEventBytes = EventBoundary.bytesAfterLastBoundary(chunk) ?? (openEventBytes + chunk.readableBytes)
                    if openEventBytes > maxEventBytes {
                        return .upstreamFailed(
                            GatewayError(.upstreamError, "The provider sent a stream event larger than 16 MiB; the stream was cut."))
                    }
                }
                let (transformed, stop) = transform(chunk)
                let out = scrubber.scrub(transformed)
                if out.readableBytes > 0 {
                    do {
                        try await writer.write(out)
                    } catch {
                        return .clientGone
                    }
                    if firstByte == nil { firstByte = .now }
                }
                if stop { return .upstreamEnded }
                if ContinuousClock.now > deadline {
                    return .upstreamFailed(GatewayError(.timeout, "The stream exceeded the maximum stream duration."))
                }
            }
        } catch {
            return .upstreamFailed(UpstreamClient.classify(error))
        }
    }

    /// Writes the stream's last bytes (the in-stream error or the dialect's closing events, if any) and
    /// ends the response; false when the client was already gone.
    static func end(_ writer: inout any ResponseBodyWriter, tail: ByteBuffer, scrubber: inout SecretScrubber) async -> Bool {
        var last = scrubber.scrub(tail)
        var rest = scrubber.finish()
        last.writeBuffer(&rest)
        do {
            if last.readableBytes > 0 { try await writer.write(last) }
            try await writer.finish(nil)
            return true
        } catch {
            return false
        }
    }
}

/// Where server-sent events end in a chunk of a stream.
enum EventBoundary {
    /// How many bytes of `chunk` follow its last blank line (`\n\n`, `\r\n\r\n`, `\r\r`, or the second half
    /// of one split across chunks is not seen: the count then simply carries on), or nil when it has none.
    /// Scans from the end: chunks usually end with their event's blank line, so this is one or two bytes.
    static func bytesAfterLastBoundary(_ chunk: ByteBuffer) -> Int? {
        chunk.withUnsafeReadableBytes { bytes -> Int? in
            var index = bytes.count - 1
            while index >= 1 {
                let byte = bytes[index]
                if byte == 0x0A || byte == 0x0D {
                    let previous = bytes[index - 1]
                    // "\n\n", "\r\r", or "\n\r\n" (the CRLF form's second line end).
                    if previous == byte || (byte == 0x0A && previous == 0x0D && index >= 2 && bytes[index - 2] == 0x0A) {
                        return bytes.count - index - 1
                    }
                }
                index -= 1
            }
            return nil
        }
    }
}
