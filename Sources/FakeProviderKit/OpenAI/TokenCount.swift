/// Deterministic stand-in for a tokenizer, so tests can predict usage numbers:
/// one token per whitespace-separated word.
enum TokenCount {
    static func words(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for byte in text.utf8 {
            let isSpace = byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
            if !isSpace && !inWord { count += 1 }
            inWord = !isSpace
        }
        return count
    }
}
