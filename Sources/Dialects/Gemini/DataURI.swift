import SwitchyardCore

extension DataURI {
    /// A base64 data URI with a media type: what Gemini's `inlineData {mimeType, data}` can carry without
    /// re-encoding the payload; nil for anything else.
    static func inlineBytes(_ uri: String) -> DataURI? {
        guard let parsed = DataURI(uri), parsed.isBase64, !parsed.mediaType.isEmpty else { return nil }
        return parsed
    }
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
