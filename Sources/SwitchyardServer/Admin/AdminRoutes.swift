import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardGovernance
import SwitchyardStore

/// `/admin/*` (CONTRACT §2): teams, keys, budgets, spend and the request log. Master key only; JSON in
/// and out; errors in OpenAI's shape.
struct AdminRoutes: Sendable {
    let governance: Governance
    let writer: SpendWriter

    func register(on group: RouterGroup<GatewayRequestContext>) {
        group.post("teams") { request, _ in await run { try await createTeam(request) } }
        group.get("teams") { _, _ in await run { try await listTeams() } }
        group.get("teams/{id}") { _, context in await run { try await showTeam(context.parameters.get("id") ?? "") } }
        group.patch("teams/{id}") { request, context in
            await run { try await patchTeam(context.parameters.get("id") ?? "", request) }
        }
        group.delete("teams/{id}") { _, context in await run { try await deleteTeam(context.parameters.get("id") ?? "") } }
        group.post("keys") { request, _ in await run { try await createKey(request) } }
        group.get("keys") { request, _ in await run { try await listKeys(team: request.uri.queryParameters.get("team")) } }
        group.get("keys/{id}") { _, context in await run { try await showKey(context.parameters.get("id") ?? "") } }
        group.patch("keys/{id}") { request, context in
            await run { try await patchKey(context.parameters.get("id") ?? "", request) }
        }
        group.delete("keys/{id}") { _, context in await run { try await revokeKey(context.parameters.get("id") ?? "") } }
        group.post("keys/{id}/rotate") { request, context in
            await run { try await rotateKey(context.parameters.get("id") ?? "", request) }
        }
        group.get("budgets") { request, _ in await run { try await budgets(request) } }
        group.get("spend") { request, _ in await run { try await spend(request) } }
        group.get("requests") { request, _ in await run { try await requests(request) } }
        group.get("requests/{id}") { _, context in await run { try await showRequest(context.parameters.get("id") ?? "") } }
    }

    // MARK: - Teams

    func createTeam(_ request: Request) async throws -> Response {
        let fields = try AdminJSON.object(try await body(request), allowed: AdminJSON.teamFields)
        guard fields["name"] != nil else { throw AdminJSON.BadRequest(message: "'name' is required.", param: "name") }
        var team = TeamRecord(id: "", name: "", createdAt: 0)
        try AdminJSON.apply(fields, to: &team)
        let created = try await governance.createTeam(team)
        return Self.json(AdminJSON.team(created, spend: 0), status: .created)
    }

    func listTeams() async throws -> Response {
        var data: [JSONValue] = []
        for team in governance.teams() { data.append(AdminJSON.team(team, spend: try await spend(ofTeam: team))) }
        return Self.json(["data": .array(data)])
    }

    func showTeam(_ id: String) async throws -> Response {
        guard let team = governance.team(id: id) else { throw Governance.AdminError.notFound("team '\(id)'") }
        return Self.json(AdminJSON.team(team, spend: try await spend(ofTeam: team)))
    }

    func patchTeam(_ id: String, _ request: Request) async throws -> Response {
        guard var team = governance.team(id: id) else { throw Governance.AdminError.notFound("team '\(id)'") }
        try AdminJSON.apply(try AdminJSON.object(try await body(request), allowed: AdminJSON.teamFields), to: &team)
        try await governance.updateTeam(team)
        return Self.json(AdminJSON.team(team, spend: try await spend(ofTeam: team)))
    }

    func deleteTeam(_ id: String) async throws -> Response {
        try await governance.deleteTeam(id: id)
        return Response(status: .noContent)
    }

    func spend(ofTeam team: TeamRecord) async throws -> MicroUSD {
        await writer.flush(timeout: .seconds(2))
        return try await governance.spent(SpendScope(kind: .team, id: team.id), period: team.budget?.period ?? .month)
    }

    // MARK: - Keys

    func createKey(_ request: Request) async throws -> Response {
        let fields = try AdminJSON.object(try await body(request), allowed: AdminJSON.keyFields)
        guard fields["name"] != nil else { throw AdminJSON.BadRequest(message: "'name' is required.", param: "name") }
        var draft = KeyRecord(id: "", name: "", secretHash: "", keyPrefix: "", createdAt: 0)
        try AdminJSON.apply(fields, to: &draft)
        let (created, secret) = try await governance.createKey(draft)
        guard case .object(var object) = AdminJSON.key(created, spend: 0) else { return Response(status: .internalServerError) }
        object["key"] = .string(secret)
        return Self.json(.object(object), status: .created)
    }

    func listKeys(team: String?) async throws -> Response {
        var data: [JSONValue] = []
        for key in governance.keys() where team == nil || key.team == team {
            data.append(AdminJSON.key(key, spend: try await spend(ofKey: key)))
        }
        return Self.json(["data": .array(data)])
    }

    func showKey(_ id: String) async throws -> Response {
        guard let key = governance.key(id: id) else { throw Governance.AdminError.notFound("key '\(id)'") }
        return Self.json(AdminJSON.key(key, spend: try await spend(ofKey: key)))
    }

    func patchKey(_ id: String, _ request: Request) async throws -> Response {
        guard var key = governance.key(id: id) else { throw Governance.AdminError.notFound("key '\(id)'") }
        try AdminJSON.apply(try AdminJSON.object(try await body(request), allowed: AdminJSON.keyFields), to: &key)
        try await governance.updateKey(key)
        return Self.json(AdminJSON.key(key, spend: try await spend(ofKey: key)))
    }

    func revokeKey(_ id: String) async throws -> Response {
        try await governance.revokeKey(id: id)
        return Response(status: .noContent)
    }

    func rotateKey(_ id: String, _ request: Request) async throws -> Response {
        let fields = try AdminJSON.object(try await body(request), allowed: ["grace"])
        var grace: Int64 = 0
        if let value = fields["grace"] {
            let parsed: Duration?
            switch value {
            case .string(let text): parsed = Duration.parse(text)
            case .int, .double: parsed = value.doubleValue.flatMap { Duration.parse(String($0)) }
            default: parsed = nil
            }
            guard let parsed else {
                throw AdminJSON.BadRequest(message: "'grace' must be a duration such as \"1h\" or a number of seconds.", param: "grace")
            }
            grace = parsed.milliseconds
        }
        let (rotated, secret) = try await governance.rotateKey(id: id, graceMillis: grace)
        guard case .object(var object) = AdminJSON.key(rotated, spend: try await spend(ofKey: rotated)) else {
            return Response(status: .internalServerError)
        }
        object["key"] = .string(secret)
        return Self.json(.object(object))
    }

    func spend(ofKey key: KeyRecord) async throws -> MicroUSD {
        await writer.flush(timeout: .seconds(2))
        return try await governance.spent(SpendScope(kind: .key, id: key.id), period: key.budget?.period ?? .month)
    }

    // MARK: - Budgets, spend, requests

    func budgets(_ request: Request) async throws -> Response {
        let scope = request.uri.queryParameters.get("scope")
        guard scope == nil || scope == "key" || scope == "team" else {
            throw AdminJSON.BadRequest(message: "'scope' must be key or team.", param: "scope")
        }
        await writer.flush(timeout: .seconds(2))
        let views = try await governance.budgets(scope: scope.flatMap(SpendScope.Kind.init(rawValue:)))
        let data = views.map { view -> JSONValue in
            .object([
                "scope": .string(view.scope.kind.rawValue), "id": .string(view.scope.id), "name": .string(view.name),
                "model": view.scope.model.map(JSONValue.string) ?? .null, "period": .string(view.budget.period.rawValue),
                "max_usd": .double(Money.usd(view.budget.max)),
                "soft_usd": view.budget.soft.map { .double(Money.usd($0)) } ?? .null,
                "spent_usd": .double(Money.usd(view.spent)), "reserved_usd": .double(Money.usd(view.reserved)),
                "resets_at": view.resetsAt.map { .string(UTCTime.format($0)) } ?? .null,
            ])
        }
        return Self.json(["data": .array(data)])
    }

    func spend(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        var query = SpendQuery()
        if let groups = parameters.get("group_by") {
            for word in groups.split(separator: ",") {
                guard let grouping = SpendGrouping(rawValue: String(word)) else {
                    throw AdminJSON.BadRequest(
                        message: "'group_by' takes key, team, model, provider, day or hour (comma-separated).", param: "group_by")
                }
                if !query.groupBy.contains(grouping) { query.groupBy.append(grouping) }
            }
        }
        query.from = try Self.time(parameters.get("from"), "from")
        query.to = try Self.time(parameters.get("to"), "to")
        query.key = parameters.get("key")
        query.team = parameters.get("team")
        query.model = parameters.get("model")
        await writer.flush(timeout: .seconds(2))
        let groups = try await governance.store.spend(query)
        var total = SpendTotals()
        let names = query.groupBy
        let data = groups.sorted { a, b in
            names.map { a.fields[$0] ?? "" }.lexicographicallyPrecedes(names.map { b.fields[$0] ?? "" })
        }.map { group -> JSONValue in
            total.add(group.totals)
            var fields = AdminJSON.totals(group.totals)
            for (grouping, value) in group.fields { fields[grouping.rawValue] = .string(value) }
            return .object(fields)
        }
        return Self.json(["data": .array(data), "total": .object(AdminJSON.totals(total))])
    }

    func requests(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        var query = RequestQuery()
        query.key = parameters.get("key")
        query.team = parameters.get("team")
        query.model = parameters.get("model")
        query.provider = parameters.get("provider")
        if let status = parameters.get("status") {
            guard let code = Int(status), (100...599).contains(code) else {
                throw AdminJSON.BadRequest(message: "'status' must be an HTTP status code.", param: "status")
            }
            query.status = code
        }
        query.from = try Self.time(parameters.get("from"), "from")
        query.to = try Self.time(parameters.get("to"), "to")
        if let limit = parameters.get("limit") {
            guard let n = Int(limit), (1...1000).contains(n) else {
                throw AdminJSON.BadRequest(message: "'limit' must be from 1 to 1000.", param: "limit")
            }
            query.limit = n
        }
        if let cursor = parameters.get("cursor") {
            guard let separator = cursor.firstIndex(of: "_"), let time = Int64(cursor[..<separator]) else {
                throw AdminJSON.BadRequest(message: "'cursor' is not one this gateway returned.", param: "cursor")
            }
            query.before = (time, String(cursor[cursor.index(after: separator)...]))
        }
        await writer.flush(timeout: .seconds(2))
        let rows = try await governance.store.requests(query)
        var answer: [String: JSONValue] = ["data": .array(rows.map(AdminJSON.row))]
        if rows.count == query.limit, let last = rows.last { answer["next_cursor"] = .string("\(last.time)_\(last.rowID)") }
        return Self.json(.object(answer))
    }

    func showRequest(_ id: String) async throws -> Response {
        await writer.flush(timeout: .seconds(2))
        guard let row = try await governance.store.request(id: id) else { throw Governance.AdminError.notFound("request '\(id)'") }
        return Self.json(AdminJSON.row(row))
    }

    // MARK: - Plumbing

    static let maxBody = 1 << 20

    func body(_ request: Request) async throws -> [UInt8] {
        do {
            return Array(buffer: try await request.body.collect(upTo: Self.maxBody))
        } catch {
            throw AdminJSON.BadRequest(message: "The body exceeds \(Self.maxBody) bytes.", param: nil)
        }
    }

    static func time(_ text: String?, _ name: String) throws -> UTCTime.Millis? {
        guard let text else { return nil }
        guard let time = UTCTime.parse(text) else {
            throw AdminJSON.BadRequest(message: "'\(name)' must be a date (2026-12-01) or an RFC 3339 time.", param: name)
        }
        return time
    }

    /// Runs an admin operation, mapping its failures to answers.
    func run(_ operation: () async throws -> Response) async -> Response {
        do {
            return try await operation()
        } catch let error as AdminJSON.BadRequest {
            return Self.error(.badRequest, type: "invalid_request_error", code: "invalid_request", error.message, param: error.param)
        } catch let error as Governance.AdminError {
            switch error {
            case .notFound(let what): return Self.error(.notFound, type: "invalid_request_error", code: "not_found", "No \(what).")
            case .conflict(let why): return Self.error(.conflict, type: "invalid_request_error", code: "conflict", why)
            case .invalid(let why): return Self.error(.badRequest, type: "invalid_request_error", code: "invalid_request", why)
            }
        } catch {
            return Self.error(.serviceUnavailable, type: "server_error", code: "store_unavailable", "The store failed: \(error)")
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSON.encode(value))))
    }

    static func error(
        _ status: HTTPResponse.Status, type: String, code: String, _ message: String, param: String? = nil
    ) -> Response {
        json(
            ["error": ["message": .string(message), "type": .string(type), "param": param.map(JSONValue.string) ?? .null, "code": .string(code)]],
            status: status)
    }
}

/// `/admin/*` takes only the master key: a virtual key gets 403 `admin_only` (none or a wrong one got 401
/// from authentication before this).
struct AdminOnlyMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: GatewayRequestContext,
        next: (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        guard context.identity?.kind == .master else {
            return AdminRoutes.error(
                .forbidden, type: "permission_error", code: "admin_only", "The admin API takes only the master key.")
        }
        return try await next(request, context)
    }
}
