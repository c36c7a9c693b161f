"""What the fake providers received (their request log at FAKE_URL/_fake/requests), for tests that assert
what reached the provider, not only what came back."""

import json
import os
import urllib.request


def fake_received(marker):
    """The JSON bodies (with their paths) the fake providers received that contain `marker`, oldest first."""
    with urllib.request.urlopen(os.environ["FAKE_URL"] + "/_fake/requests", timeout=10) as reply:
        log = json.load(reply)
    return [(entry["path"], json.loads(entry["body"])) for entry in log if marker in entry["body"]]


def assert_tool_result_reached_provider(model, call_id, name, arguments, marker):
    """The second turn as the provider got it: its own tool call replayed under the id it issued (Gemini
    issues none: the call's name and arguments), and the result under the same id."""
    seen = fake_received(marker)
    assert len(seen) == 1, f"one request carried the tool result, got {[path for path, _ in seen]}"
    path, body = seen[0]
    provider = model.split("/")[0]
    assert path.startswith(f"/{provider}/"), path
    if provider == "anthropic":
        assert body["model"] == model.split("/", 1)[1]
        uses = [b for m in body["messages"] if m["role"] == "assistant" for b in m["content"] if b["type"] == "tool_use"]
        assert [(b["id"], b["name"], b["input"]) for b in uses] == [(call_id, name, arguments)]
        results = [b for m in body["messages"] if m["role"] == "user" and isinstance(m["content"], list)
                   for b in m["content"] if b["type"] == "tool_result"]
        assert [b["tool_use_id"] for b in results] == [call_id]
        assert marker in json.dumps(results[0]["content"])
    elif provider == "bedrock":
        blocks = [b for m in body["messages"] for b in m["content"]]
        uses = [b["toolUse"] for b in blocks if "toolUse" in b]
        assert [(u["toolUseId"], u["name"], u["input"]) for u in uses] == [(call_id, name, arguments)]
        results = [b["toolResult"] for b in blocks if "toolResult" in b]
        assert [r["toolUseId"] for r in results] == [call_id]
        assert marker in json.dumps(results[0]["content"])
    elif provider == "cohere":
        calls = [c for m in body["messages"] if m["role"] == "assistant" for c in m.get("tool_calls", [])]
        assert [(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
            (call_id, name, arguments)
        ]
        results = [m for m in body["messages"] if m["role"] == "tool"]
        assert [m["tool_call_id"] for m in results] == [call_id]
        assert marker in json.dumps(results[0]["content"])
    elif provider == "openai":
        calls = [c for m in body["messages"] if m["role"] == "assistant" for c in m.get("tool_calls") or []]
        assert [(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
            (call_id, name, arguments)
        ]
        results = [m for m in body["messages"] if m["role"] == "tool"]
        assert [m["tool_call_id"] for m in results] == [call_id]
        assert marker in json.dumps(results[0]["content"])
    elif provider == "gemini":
        parts = [p for c in body["contents"] for p in c["parts"]]
        calls = [p["functionCall"] for p in parts if "functionCall" in p]
        assert [(c["name"], c["args"]) for c in calls] == [(name, arguments)]
        responses = [p["functionResponse"] for p in parts if "functionResponse" in p]
        assert [r["name"] for r in responses] == [name]
        assert marker in json.dumps(responses[0]["response"])
    else:
        raise AssertionError(f"no check for {provider}")
