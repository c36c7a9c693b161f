"""Gemini 3 tool loops with the official SDKs, replaying only what most clients replay (issue 11 §3).

Gemini 3 rejects a replayed function call without its thought signature (the fake enforces this for
`gemini-3*` models). LangChain, agent frameworks and stream accumulators send back only a call's id,
name and arguments (OpenAI chat) or a `tool_use` block's id, name and input (Anthropic Messages); the
gateway carries the signature in the id it mints, `<call id>__<signature as base64url><4-char check>`,
and puts it back on the `functionCall` part.
"""

import base64
import json
import os
import re
import urllib.request
import uuid

import anthropic
import openai
import pytest

MODELS = ["gemini/gemini-3-flash-preview", "gemini-3.1-pro-preview"]

OPENAI_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
ANTHROPIC_TOOL = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


@pytest.fixture()
def oai(base_url, key):
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)


@pytest.fixture()
def claude(base_url, key):
    return anthropic.Anthropic(base_url=base_url.removesuffix("/v1"), api_key=key, max_retries=0)


def signature_in_id(call_id):
    """The signature an id carries, decoded from the documented form (not by asking the gateway)."""
    assert re.fullmatch(r"[A-Za-z0-9_-]+", call_id), call_id  # what Anthropic accepts in tool_use ids
    _, sep, rest = call_id.partition("__")
    assert sep, f"id carries no signature: {call_id}"
    payload = rest[:-4]
    return base64.b64encode(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).decode()


def looks_like_a_gemini3_signature(signature):
    raw = base64.b64decode(signature, validate=True)
    return 300 <= len(raw) < 364 and raw[0] == 0x0A


def replayed_call(marker):
    """The model turn's functionCall part and the functionResponse of the one request carrying `marker`."""
    with urllib.request.urlopen(os.environ["FAKE_URL"] + "/_fake/requests", timeout=10) as reply:
        log = json.load(reply)
    seen = [(e["path"], json.loads(e["body"])) for e in log if marker in e["body"]]
    assert len(seen) == 1, [path for path, _ in seen]
    path, body = seen[0]
    assert path.startswith("/gemini/") and (":generateContent" in path or ":streamGenerateContent" in path), path
    model_turns = [c for c in body["contents"] if c.get("role") == "model"]
    assert len(model_turns) == 1
    call_part = next(p for p in model_turns[0]["parts"] if "functionCall" in p)
    response = next(p["functionResponse"] for c in body["contents"] for p in c["parts"] if "functionResponse" in p)
    return call_part, response


def openai_second_turn(oai, model, call_id, name, arguments, marker, stream=False):
    """The assistant message rebuilt from id, name and arguments only — no extra_content."""
    messages = [
        {"role": "user", "content": "Paris"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}],
        },
        {"role": "tool", "tool_call_id": call_id, "content": marker},
    ]
    if stream:
        chunks = list(oai.chat.completions.create(model=model, messages=messages, tools=[OPENAI_TOOL], stream=True))
        return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    completion = oai.chat.completions.create(model=model, messages=messages, tools=[OPENAI_TOOL])
    assert completion.choices[0].finish_reason == "stop"
    return completion.choices[0].message.content


@pytest.mark.parametrize("model", MODELS)
def test_openai_json_first_turn(oai, model):
    first = oai.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Paris"}], tools=[OPENAI_TOOL]
    )
    assert first.choices[0].finish_reason == "tool_calls"
    call = first.choices[0].message.tool_calls[0]
    # The gateway also relays the signature Google's way, for clients that echo unknown fields.
    issued = call.model_extra["extra_content"]["google"]["thought_signature"]
    assert looks_like_a_gemini3_signature(issued)
    assert signature_in_id(call.id) == issued

    marker = f"18C {uuid.uuid4().hex}"
    text = openai_second_turn(oai, model, call.id, call.function.name, call.function.arguments, marker)
    assert text == "Echo: Paris"
    part, response = replayed_call(marker)
    assert part["thoughtSignature"] == issued
    assert part["functionCall"]["name"] == "get_weather" and "id" not in part["functionCall"]
    assert response["name"] == "get_weather" and "id" not in response


@pytest.mark.parametrize("model", MODELS)
def test_openai_streamed_first_turn(oai, model):
    stream = oai.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Paris"}], tools=[OPENAI_TOOL], stream=True
    )
    # What a stream accumulator keeps: id and name from the first delta, arguments concatenated.
    call_id, name, arguments, issued = None, "", "", None
    for chunk in stream:
        for delta in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            assert delta.index == 0
            if delta.id:
                assert call_id is None, "the id is announced once"
                call_id = delta.id
            if delta.function and delta.function.name:
                name += delta.function.name
            if delta.function and delta.function.arguments:
                arguments += delta.function.arguments
            extra = (delta.model_extra or {}).get("extra_content")
            if extra:
                issued = extra["google"]["thought_signature"]
    assert call_id and name == "get_weather" and json.loads(arguments) == {"city": "Paris"}
    assert looks_like_a_gemini3_signature(issued)
    # The id seen at the call's start already carries the signature that arrives later in the stream.
    assert signature_in_id(call_id) == issued

    marker = f"18C {uuid.uuid4().hex}"
    text = openai_second_turn(oai, model, call_id, name, arguments, marker, stream=True)
    assert text == "Echo: Paris"
    part, _ = replayed_call(marker)
    assert part["thoughtSignature"] == issued


def test_openai_without_signature_is_refused_like_gemini3(oai):
    """The fake really enforces the rule: an id that carries nothing gets Gemini 3's 400."""
    with pytest.raises(openai.BadRequestError) as caught:
        openai_second_turn(
            oai, MODELS[0], "call_AbCdEfGhIjKlMnOpQrStUvWx", "get_weather", '{"city":"Paris"}', f"x {uuid.uuid4().hex}"
        )
    assert "thought_signature" in str(caught.value)


@pytest.mark.parametrize("stream_first", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("model", MODELS)
def test_anthropic_tool_use_rebuilt(claude, model, stream_first):
    question = {"role": "user", "content": "Paris"}
    if stream_first:
        with claude.messages.stream(model=model, max_tokens=256, tools=[ANTHROPIC_TOOL], messages=[question]) as s:
            first = s.get_final_message()
    else:
        first = claude.messages.create(model=model, max_tokens=256, tools=[ANTHROPIC_TOOL], messages=[question])
    assert first.stop_reason == "tool_use"
    use = next(block for block in first.content if block.type == "tool_use")
    assert use.name == "get_weather" and use.input == {"city": "Paris"}
    issued = signature_in_id(use.id)
    assert looks_like_a_gemini3_signature(issued)

    marker = f"18C {uuid.uuid4().hex}"
    second = claude.messages.create(
        model=model,
        max_tokens=256,
        tools=[ANTHROPIC_TOOL],
        messages=[
            question,
            # Rebuilt from scratch, as agent frameworks do: no thinking blocks, no extra fields.
            {"role": "assistant", "content": [{"type": "tool_use", "id": use.id, "name": use.name, "input": use.input}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": marker}]},
        ],
    )
    assert second.stop_reason == "end_turn"
    assert next(block.text for block in second.content if block.type == "text") == "Echo: Paris"
    part, response = replayed_call(marker)
    assert part["thoughtSignature"] == issued
    assert response["name"] == "get_weather"
