import NIOCore

/// Event framing of the native SSE dialects.
enum NativeSSE {
    /// `event: NAME\ndata: {…}\n\n` — Anthropic and Cohere name every event (and repeat the
    /// name as the payload's `type`, which the body writes).
    static func event(_ name: String, _ body: (inout JSONWriter) -> Void) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        buffer.writeStaticString("event: ")
        buffer.writeString(name)
        buffer.writeStaticString("\ndata: ")
        var json = JSONWriter(appendingTo: buffer)
        json.object(body)
        var out = json.buffer
        out.writeStaticString("\n\n")
        return out
    }

    /// `data: {…}\r\n\r\n` — Google frames its SSE with CRLF and names no events.
    static func crlfData(_ body: (inout JSONWriter) -> Void) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 512)
        buffer.writeStaticString("data: ")
        var json = JSONWriter(appendingTo: buffer)
        json.object(body)
        var out = json.buffer
        out.writeStaticString("\r\n\r\n")
        return out
    }
}
