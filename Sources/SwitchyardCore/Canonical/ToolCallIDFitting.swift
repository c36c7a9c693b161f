/// Tool-call ids as another provider accepts them. Ids cross providers when a conversation fails over, and
/// some are long by design (a Gemini call's id carries its thought signature, hundreds of characters), while
/// OpenAI takes at most 40 characters and Bedrock at most 64 of `[A-Za-z0-9_-]`. An id that does not fit is
/// replaced by a short one derived from it, the same on every instance and every turn, so a call and its
/// result still pair up; the provider answers with ids of its own, so nothing has to map back.
public enum ToolCallIDFitting {
    public static func fitted(_ id: String, maxLength: Int, restrictedCharacters: Bool = false) -> String {
        let fits = id.utf8.count <= maxLength
            && (!restrictedCharacters || id.utf8.allSatisfy { isWordByte($0) })
        return fits ? id : derived(from: id)
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x5F || byte == 0x2D
    }

    /// `call_` + 24 alphanumerics derived from the id (`StableID`).
    static func derived(from id: String) -> String {
        StableID.mint(seed: id, prefix: "call_")
    }
}

extension Message {
    /// The message with its tool-call ids (calls and the id a tool result answers) fitted for a provider.
    public func fittingToolCallIDs(maxLength: Int, restrictedCharacters: Bool = false) -> Message {
        var copy = self
        for index in copy.toolCalls.indices {
            copy.toolCalls[index].id = ToolCallIDFitting.fitted(
                copy.toolCalls[index].id, maxLength: maxLength, restrictedCharacters: restrictedCharacters)
        }
        copy.toolCallId = copy.toolCallId.map {
            ToolCallIDFitting.fitted($0, maxLength: maxLength, restrictedCharacters: restrictedCharacters)
        }
        return copy
    }
}
