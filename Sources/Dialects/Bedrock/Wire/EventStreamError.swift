/// Why bytes could not be read (or written) as `application/vnd.amazon.eventstream` frames.
public struct EventStreamError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The CRC-32 of the 8 prelude bytes does not match the prelude CRC.
        case preludeChecksumMismatch
        /// The CRC-32 of the whole frame does not match the trailing message CRC.
        case messageChecksumMismatch
        /// Lengths that cannot describe a frame (too short, headers longer than the frame, over the limits).
        case invalidLength
        /// A header that is truncated, has an unknown value type or a name/value that is not UTF-8.
        case invalidHeader
        /// Something the encoder was asked to write does not fit the format's length fields.
        case tooLarge
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "event stream \(kind.rawValue): \(message)" }
}
