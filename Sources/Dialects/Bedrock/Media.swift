import SwitchyardCore

extension DataURI {
    /// A base64 data URI — Bedrock takes bytes only; nil for anything else.
    static func bytes(_ uri: String) -> DataURI? {
        guard let parsed = DataURI(uri), parsed.isBase64 else { return nil }
        return parsed
    }

    /// The media type, `application/octet-stream` when the URI names none.
    var mime: String { mediaType.isEmpty ? "application/octet-stream" : mediaType }
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
