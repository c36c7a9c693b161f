import Foundation
import SwitchyardCore

/// The model catalog: the shipped data file, plus entries from config that add or override models.
public struct Catalog: Sendable {
    public private(set) var entries: [CatalogEntry]
    private var byID: [String: [Int]]
    private var byProviderModel: [String: Int]

    public init(entries: [CatalogEntry]) {
        self.entries = []
        self.byID = [:]
        self.byProviderModel = [:]
        for entry in entries { upsert(entry) }
    }

    struct File: Decodable {
        var models: [CatalogEntry]
    }

    public enum LoadError: Error, CustomStringConvertible {
        case missing
        case invalid(String)

        public var description: String {
            switch self {
            case .missing: return "the model catalog (catalog.json) is not installed next to the binary"
            case .invalid(let reason): return "the model catalog is invalid: \(reason)"
            }
        }
    }

    /// Decodes a catalog file.
    public static func decode(_ data: Data) throws -> Catalog {
        do {
            return Catalog(entries: try JSONDecoder().decode(File.self, from: data).models)
        } catch {
            throw LoadError.invalid("\(error)")
        }
    }

    /// The catalog shipped with the binary (a resource of this module).
    public static func bundled() throws -> Catalog {
        guard let url = Bundle.module.url(forResource: "catalog", withExtension: "json") else {
            throw LoadError.missing
        }
        return try decode(try Data(contentsOf: url))
    }

    /// Adds an entry, replacing one with the same provider and id.
    public mutating func upsert(_ entry: CatalogEntry) {
        let key = "\(entry.provider)/\(entry.id)"
        if let existing = byProviderModel[key] {
            entries[existing] = entry
            return
        }
        entries.append(entry)
        byProviderModel[key] = entries.count - 1
        if let upstream = entry.upstream, byProviderModel["\(entry.provider)/\(upstream)"] == nil {
            byProviderModel["\(entry.provider)/\(upstream)"] = entries.count - 1
        }
        byID[entry.id, default: []].append(entries.count - 1)
    }

    /// Entries whose id is exactly `id`, in file order (a name two hosts serve has several).
    public func entries(id: String) -> [CatalogEntry] {
        (byID[id] ?? []).map { entries[$0] }
    }

    public func entry(provider: String, model: String) -> CatalogEntry? {
        byProviderModel["\(provider)/\(model)"].map { entries[$0] }
    }

    public var providers: Set<String> { Set(entries.map(\.provider)) }
}
