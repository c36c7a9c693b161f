/// A `data:` URI split into media type and base64 payload; only base64 URIs qualify, as Bedrock wants bytes.
struct DataURI {
    var mime: String
    var base64: String

    init?(_ text: String) {
        guard text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") else { return nil }
        let header = text[text.index(text.startIndex, offsetBy: 5)..<comma].split(separator: ";")
        guard header.last?.lowercased() == "base64" else { return nil }
        mime = header.count > 1 ? header[0].lowercased() : "application/octet-stream"
        base64 = String(text[text.index(after: comma)...])
    }
}

/// Bedrock's image and document `format` names and the media types they correspond to.
enum MediaFormats {
    private static let images: [(format: String, mime: String)] = [
        ("png", "image/png"), ("jpeg", "image/jpeg"), ("gif", "image/gif"), ("webp", "image/webp"),
    ]
    private static let documents: [(format: String, mime: String)] = [
        ("pdf", "application/pdf"), ("csv", "text/csv"), ("doc", "application/msword"),
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("xls", "application/vnd.ms-excel"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("html", "text/html"),
        ("txt", "text/plain"), ("md", "text/markdown"),
    ]

    static var documentList: String { documents.map(\.format).joined(separator: ", ") }

    static func imageMIME(_ format: String) -> String? { images.first { $0.format == format }?.mime }
    static func documentMIME(_ format: String) -> String? { documents.first { $0.format == format }?.mime }

    static func imageFormat(_ mime: String) -> String? {
        mime == "image/jpg" ? "jpeg" : images.first { $0.mime == mime }?.format
    }

    static func documentFormat(_ mime: String) -> String? { documents.first { $0.mime == mime }?.format }
}
