/// A base64 `data:` URI, the form in which canonical content carries inline bytes (OpenAI `image_url`,
/// `file_data`); Gemini wants the two halves apart as `inlineData {mimeType, data}`.
struct DataURI: Equatable {
    var mimeType: String
    var base64: String

    init(mimeType: String, base64: String) {
        self.mimeType = mimeType
        self.base64 = base64
    }

    /// Parses `data:<type>[;param…];base64,<data>`; nil for anything else, including non-base64 data URIs,
    /// which Gemini could not take without re-encoding the payload.
    init?(_ uri: String) {
        guard uri.utf8.count > 5, uri.prefix(5).lowercased() == "data:", let comma = uri.firstIndex(of: ",") else {
            return nil
        }
        let header = uri[uri.index(uri.startIndex, offsetBy: 5)..<comma]
        let parameters = header.split(separator: ";", omittingEmptySubsequences: false)
        guard let last = parameters.last, last.lowercased() == "base64", let type = parameters.first, !type.isEmpty
        else { return nil }
        self.mimeType = String(type)
        self.base64 = String(uri[uri.index(after: comma)...])
    }

    var uri: String { "data:\(mimeType);base64,\(base64)" }
}

/// Media types Gemini needs on `inlineData` and accepts on `fileData`, guessed from a file name or URL when the
/// canonical part does not say (OpenAI's `file` part has only a file name).
enum MediaType {
    private static let byExtension: [String: String] = [
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif",
        "heic": "image/heic", "heif": "image/heif",
        "pdf": "application/pdf", "txt": "text/plain", "md": "text/md", "html": "text/html", "csv": "text/csv",
        "xml": "text/xml", "json": "application/json",
        "wav": "audio/wav", "mp3": "audio/mp3", "aiff": "audio/aiff", "aac": "audio/aac", "ogg": "audio/ogg",
        "flac": "audio/flac",
        "mp4": "video/mp4", "mpeg": "video/mpeg", "mov": "video/mov", "avi": "video/avi", "webm": "video/webm",
        "wmv": "video/wmv", "3gp": "video/3gpp",
    ]

    /// The type for a name's extension (query and fragment ignored), or nil when unknown.
    static func guess(fromName name: String) -> String? {
        let path = name.split(separator: "?", maxSplits: 1).first.map(String.init) ?? name
        let lastSegment = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = lastSegment.lastIndex(of: ".") else { return nil }
        return byExtension[lastSegment[lastSegment.index(after: dot)...].lowercased()]
    }

    /// Gemini's audio type for an OpenAI `input_audio.format` (`wav`, `mp3`, …).
    static func audio(format: String) -> String { "audio/\(format.lowercased())" }

    /// The OpenAI-style audio format for a Gemini audio type (`audio/mpeg` → `mp3`).
    static func audioFormat(mimeType: String) -> String {
        let subtype = mimeType.split(separator: "/").dropFirst().first.map { $0.lowercased() } ?? mimeType
        switch subtype {
        case "mpeg", "mpeg3", "x-mp3": return "mp3"
        case "x-wav", "wave", "vnd.wave": return "wav"
        default: return subtype
        }
    }
}
