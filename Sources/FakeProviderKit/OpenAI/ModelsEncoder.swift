import NIOCore

/// `GET /v1/models` (`openai/models-list.json`): the provider's example models.
enum ModelsEncoder {
    static func response(for provider: FakeProvider) -> ByteBuffer {
        var json = JSONWriter(capacity: 512)
        json.object { json in
            json.field("object", "list")
            json.array("data") { json in
                for id in provider.modelIDs {
                    json.object { json in
                        json.field("id", id)
                        json.field("object", "model")
                        json.field("created", 1_744_316_542)
                        json.field("owned_by", provider.modelOwner)
                    }
                }
            }
        }
        return json.buffer
    }
}
