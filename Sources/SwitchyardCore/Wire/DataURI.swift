import Foundation

/// A `data:[<media type>][;<parameter>…][;base64],<payload>` URI (RFC 2397): the form in which canonical
/// content carries inline bytes (OpenAI `image_url`, `file_data`). Each dialect takes what it can carry —
/// Gemini and Bedrock base64 only, Anthropic plain text too.
public struct DataURI: Sendable, Equatable {
    /// Lower-cased (media types are case-insensitive); empty when the URI names none.
    public var mediaType: String
    public var isBase64: Bool
    public var payload: String

    public init(mediaType: String, base64: String) {
        self.mediaType = mediaType
        self.isBase64 = true
        self.payload = base64
    }

    /// Parses a data URI; nil for anything else.
    public init?(_ uri: String) {
        guard uri.utf8.count > 5, uri.prefix(5).lowercased() == "data:", let comma = uri.firstIndex(of: ",") else {
            return nil
        }
        // Empty pieces kept, so `data:;base64,…` has an empty media type rather than "base64".
        let header = uri[uri.index(uri.startIndex, offsetBy: 5)..<comma].split(separator: ";", omittingEmptySubsequences: false)
        let first = header.first.map(String.init) ?? ""
        mediaType = first.contains("=") || first.lowercased() == "base64" ? "" : first.lowercased()
        isBase64 = header.dropFirst().contains { $0.lowercased() == "base64" } || first.lowercased() == "base64"
        payload = String(uri[uri.index(after: comma)...])
    }

    /// `data:<type>;base64,<payload>`.
    public var uri: String { isBase64 ? "data:\(mediaType);base64,\(payload)" : "data:\(mediaType),\(payload)" }

    /// The base64 payload, when the URI is base64.
    public var base64: String? { isBase64 ? payload : nil }

    /// The payload as text: base64-decoded, or percent-decoded for plain data URIs.
    public var decodedText: String? {
        if isBase64 {
            guard let data = Data(base64Encoded: payload) else { return nil }
            return String(data: data, encoding: .utf8)
        }
        return payload.removingPercentEncoding
    }
}

/// RFC 3986 percent-encoding: every byte except the unreserved `A-Z a-z 0-9 - . _ ~` becomes `%XX`
/// (upper-case hex), `/` and `:` included — so a model id or deployment name can never alter a URL's path,
/// and SigV4's canonical URI is exactly what AWS computes.
public enum PercentEncoding {
    private static let hex = Array("0123456789ABCDEF".utf8)

    public static func encodeUnreserved(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
