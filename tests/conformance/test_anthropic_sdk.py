"""The official anthropic SDK, unchanged, against the gateway's /v1/messages: routed to Anthropic
(same dialect) and to other providers (translated)."""

import json
import os
import urllib.request
import uuid

import anthropic
import pytest

from fakelog import assert_tool_result_reached_provider, fake_received

MODELS = [
    "anthropic/claude-sonnet-4-5",
    "openai/gpt-4o",
    "gemini/gemini-2.5-flash",
    "cohere/command-a-03-2025",
    "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0",
]

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}




@pytest.fixture()
def client(base_url, key):
    # The SDK appends /v1/messages to the root URL.
    return anthropic.Anthropic(base_url=base_url.removesuffix("/v1"), api_key=key, max_retries=0)


@pytest.mark.parametrize("model", MODELS)
def test_sync_message(client, model):
    message = client.messages.create(
        model=model, max_tokens=256, messages=[{"role": "user", "content": "hello from the sdk"}]
    )
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.stop_reason == "end_turn"
    assert "hello from the sdk" in message.content[0].text
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0


@pytest.mark.parametrize("model", MODELS)
def test_streaming(client, model):
    with client.messages.stream(
        model=model, max_tokens=256, messages=[{"role": "user", "content": "stream it"}]
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert "stream it" in text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0


@pytest.mark.parametrize("model", MODELS)
def test_tool_use_round_trip(client, model):
    first = client.messages.create(
        model=model,
        max_tokens=256,
        tools=[WEATHER_TOOL],
        messages=[{"role": "user", "content": "Paris"}],
    )
    assert first.stop_reason == "tool_use"
    call = next(block for block in first.content if block.type == "tool_use")
    assert call.name == "get_weather"
    assert "city" in call.input
    assert call.input == {"city": "Paris"}
    # The tool result goes back with the same id; the model answers in text.
    result = f"18C {uuid.uuid4().hex}"
    second = client.messages.create(
        model=model,
        max_tokens=256,
        tools=[WEATHER_TOOL],
        messages=[
            {"role": "user", "content": "Paris"},
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": result}]},
        ],
    )
    assert second.stop_reason == "end_turn"
    assert_tool_result_reached_provider(model, call.id, "get_weather", call.input, result)


SIGNING_MODELS = ["anthropic/claude-sonnet-4-5", "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0"]


@pytest.mark.parametrize("model", SIGNING_MODELS)
def test_thinking_tool_use_round_trip_replays_the_signature(client, model):
    # Providers that sign their reasoning get the signed block back, signature unchanged, before the call.
    thinking = {"type": "enabled", "budget_tokens": 1024}
    first = client.messages.create(
        model=model, max_tokens=2048, thinking=thinking, tools=[WEATHER_TOOL],
        messages=[{"role": "user", "content": "Oslo"}],
    )
    assert first.stop_reason == "tool_use"
    assert [block.type for block in first.content] == ["thinking", "tool_use"]
    signature = first.content[0].signature
    assert signature.startswith("EqQD") and len(signature) == 240
    call = first.content[1]
    result = f"-3C {uuid.uuid4().hex}"
    second = client.messages.create(
        model=model, max_tokens=2048, thinking=thinking, tools=[WEATHER_TOOL],
        messages=[
            {"role": "user", "content": "Oslo"},
            {"role": "assistant", "content": first.content},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": result}]},
        ],
    )
    assert second.stop_reason == "end_turn"
    assert_tool_result_reached_provider(model, call.id, "get_weather", {"city": "Oslo"}, result)
    [(_, body)] = fake_received(result)
    [assistant] = [m for m in body["messages"] if m["role"] == "assistant"]
    if model.startswith("anthropic/"):
        assert [b["type"] for b in assistant["content"]] == ["thinking", "tool_use"]
        assert assistant["content"][0]["signature"] == signature
        assert assistant["content"][0]["thinking"] == first.content[0].thinking
    else:
        assert [next(iter(b)) for b in assistant["content"]] == ["reasoningContent", "toolUse"]
        reasoning = assistant["content"][0]["reasoningContent"]["reasoningText"]
        assert reasoning == {"text": first.content[0].thinking, "signature": signature}


@pytest.mark.parametrize("model", ["anthropic/claude-sonnet-4-5", "openai/gpt-4o"])
def test_streaming_tool_use(client, model):
    with client.messages.stream(
        model=model, max_tokens=256, tools=[WEATHER_TOOL], messages=[{"role": "user", "content": "Lyon"}]
    ) as stream:
        final = stream.get_final_message()
    call = next(block for block in final.content if block.type == "tool_use")
    assert call.name == "get_weather" and "city" in call.input
    assert final.stop_reason == "tool_use"


def test_errors_map_to_sdk_exceptions(client, base_url):
    with pytest.raises(anthropic.NotFoundError):
        client.messages.create(model="claude-nowhere", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    bad_key = anthropic.Anthropic(base_url=base_url.removesuffix("/v1"), api_key="wrong", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        bad_key.messages.create(
            model="anthropic/claude-sonnet-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
