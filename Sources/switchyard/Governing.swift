import ArgumentParser
import Foundation
import Logging
import SwitchyardConfig
import SwitchyardGovernance
import SwitchyardServer
import SwitchyardStore

/// Opens the store a config names and runs `body` on its governance (no sync loop): what `keys`,
/// `teams` and `spend` share.
enum Governing {
    static func with<T>(config path: String?, _ body: (Governance) async throws -> T) async throws -> T {
        let config: GatewayConfig
        do {
            config = try ConfigSource.load(path: path)
        } catch {
            throw ValidationError("\(error)")
        }
        var logger = Logger(label: "switchyard-cli")
        logger.logLevel = .error
        let store = try await StoreFactory.open(config.store, baseDirectory: ConfigSource.directory(of: path), logger: logger)
        let governance = Governance(store: store, governance: config.governance, declaredKeys: config.keys, logger: logger)
        do {
            try await governance.start()
            let result = try await body(governance)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    static func budget(_ usd: Double?, period: String) throws -> Budget? {
        guard let usd else { return nil }
        guard Budget.Period(rawValue: period) != nil else { throw ValidationError("--period must be day, week, month or total") }
        guard let budget = Governance.budget(GatewayConfig.BudgetSetting(maxUSD: usd, period: period)) else {
            throw ValidationError("--budget must be a number of USD, 0 or more")
        }
        return budget
    }

    static func models(_ list: String?) -> [String]? {
        list.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// A plain text table with a header row.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func usd(_ micro: MicroUSD) -> String { String(format: "%.6f", Money.usd(micro)) }
}

/// The limits `keys create` and `teams create` share.
struct LimitOptions: ParsableArguments {
    @Option(name: .long, help: "Allowed models, comma-separated (* wildcards).") var models: String?
    @Option(name: .long) var rpm: Int?
    @Option(name: .long) var tpm: Int?
    @Option(name: .long, help: "Hard cap in USD.") var budget: Double?
    @Option(name: .long, help: "day, week, month or total.") var period: String = "month"

    func validate() throws {
        for (flag, value) in [("--rpm", rpm), ("--tpm", tpm)] where value.map({ $0 < 1 }) == true {
            throw ValidationError("\(flag) must be 1 or more")
        }
        _ = try Governing.budget(budget, period: period)
    }

    var modelList: [String]? { Governing.models(models) }
    var parsedBudget: Budget? { try? Governing.budget(budget, period: period) }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, revoke and rotate virtual keys in the store the config names.",
        subcommands: [Create.self, List.self, Revoke.self, Rotate.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print its secret (shown only now).")
        @Option(name: .long, help: "Path to the YAML config file.") var config: String?
        @Option(name: .long) var name: String
        @Option(name: .long, help: "Team id or name.") var team: String?
        @OptionGroup var limits: LimitOptions

        func run() async throws {
            let (record, secret) = try await Governing.with(config: config) { governance in
                let teamID = team.flatMap { wanted in governance.teams().first { $0.id == wanted || $0.name == wanted }?.id }
                if let team, teamID == nil { throw ValidationError("no team '\(team)'") }
                var draft = KeyRecord(id: "", name: name, secretHash: "", keyPrefix: "", createdAt: 0)
                draft.team = teamID
                draft.models = limits.modelList
                draft.rpm = limits.rpm
                draft.tpm = limits.tpm
                draft.budget = limits.parsedBudget
                return try await governance.createKey(draft)
            }
            print("id:  \(record.id)")
            print("key: \(secret)")
            print("(the key is shown only now; the store keeps its SHA-256)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @Option(name: .long, help: "Path to the YAML config file.") var config: String?

        func run() async throws {
            let rows = try await Governing.with(config: config) { governance in
                governance.keys().map { key in
                    [
                        key.id, key.name, key.keyPrefix + "…", key.team ?? "-", key.models?.joined(separator: ",") ?? "*",
                        key.rpm.map(String.init) ?? "-", key.budget.map { "\(Governing.usd($0.max))/\($0.period.rawValue)" } ?? "-",
                        key.revokedAt == nil ? "active" : "revoked",
                    ]
                }
            }
            print(Governing.table(["ID", "NAME", "PREFIX", "TEAM", "MODELS", "RPM", "BUDGET", "STATE"], rows))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key (401 from then on, on every instance within sync_interval).")
        @Option(name: .long, help: "Path to the YAML config file.") var config: String?
        @Argument var id: String

        func run() async throws {
            try await Governing.with(config: config) { try await $0.revokeKey(id: id) }
            print("revoked \(id)")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a key a new secret; the old one works until the grace ends.")
        @Option(name: .long, help: "Path to the YAML config file.") var config: String?
        @Option(name: .long, help: "How long the old secret keeps working (\"1h\"); default: not at all.") var grace: String?
        @Argument var id: String

        func run() async throws {
            var graceMillis: Int64 = 0
            if let grace {
                guard let parsed = Duration.parse(grace) else { throw ValidationError("--grace must be a duration such as 1h") }
                graceMillis = parsed.milliseconds
            }
            let (_, secret) = try await Governing.with(config: config) { try await $0.rotateKey(id: id, graceMillis: graceMillis) }
            print("key: \(secret)")
        }
    }
}

struct Teams: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create and list teams.", subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a team.")
        @Option(name: .long, help: "Path to the YAML config file.") var config: String?
        @Option(name: .long) var name: String
        @OptionGroup var limits: LimitOptions

        func run() async throws {
            let team = try await Governing.with(config: config) { governance in
                var draft = TeamRecord(id: "", name: name, createdAt: 0)
                draft.models = limits.modelList
                draft.rpm = limits.rpm
                draft.tpm = limits.tpm
                draft.budget = limits.parsedBudget
                return try await governance.createTeam(draft)
            }
            print("id: \(team.id)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List teams.")
        @Option(name: .long, help: "Path to the YAML config file.") var config: String?

        func run() async throws {
            let rows = try await Governing.with(config: config) { governance in
                governance.teams().map { team in
                    [
                        team.id, team.name, team.models?.joined(separator: ",") ?? "*", team.rpm.map(String.init) ?? "-",
                        team.budget.map { "\(Governing.usd($0.max))/\($0.period.rawValue)" } ?? "-",
                    ]
                }
            }
            print(Governing.table(["ID", "NAME", "MODELS", "RPM", "BUDGET"], rows))
        }
    }
}

struct Spend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Spend from the store, as a table.")
    @Option(name: .long, help: "Path to the YAML config file.") var config: String?
    @Option(name: .customLong("group-by"), help: "key, team, model, provider, day, hour (comma-separated).") var groupBy: String = "model"
    @Option(name: .long, help: "From this date or time (2026-12-01).") var from: String?
    @Option(name: .long, help: "Up to this date or time (exclusive).") var to: String?

    func run() async throws {
        var query = SpendQuery()
        for word in groupBy.split(separator: ",") {
            guard let grouping = SpendGrouping(rawValue: String(word)) else {
                throw ValidationError("--group-by takes key, team, model, provider, day or hour")
            }
            query.groupBy.append(grouping)
        }
        for (flag, text, target) in [("--from", from, \SpendQuery.from), ("--to", to, \SpendQuery.to)] {
            guard let text else { continue }
            guard let time = UTCTime.parse(text) else { throw ValidationError("\(flag) must be a date such as 2026-12-01") }
            query[keyPath: target] = time
        }
        let groups = try await Governing.with(config: config) { try await $0.store.spend(query) }
        let names = query.groupBy
        let rows = groups.sorted { a, b in
            names.map { a.fields[$0] ?? "" }.lexicographicallyPrecedes(names.map { b.fields[$0] ?? "" })
        }.map { group in
            names.map { group.fields[$0].flatMap { $0.isEmpty ? "-" : $0 } ?? "-" } + [
                String(group.totals.requests), String(group.totals.errors), String(group.totals.inputTokens),
                String(group.totals.outputTokens), Governing.usd(group.totals.cost),
            ]
        }
        print(Governing.table(names.map { $0.rawValue.uppercased() } + ["REQUESTS", "ERRORS", "INPUT", "OUTPUT", "COST_USD"], rows))
    }
}
