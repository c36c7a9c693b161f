"""Providers that write JSON with spaces (Python's json.dumps, many OpenAI-compatible servers) or spread an
event's data over several lines: the official openai SDK and a raw SSE reader see the same answers as from a
compact provider, and never the usage chunk they did not ask for (issue 11 §1)."""

import json

import httpx
import openai
import pytest

MODELS = [
    "openai-spaced/gpt-4o-mini",
    "groq-spaced/llama-3.3-70b-versatile",
    "deepseek-spaced/deepseek-chat",
    "mistral-spaced/mistral-small-latest",
    "openai-multiline/gpt-4o-mini",
]


@pytest.fixture()
def client(base_url, key):
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)


@pytest.mark.parametrize("model", MODELS)
def test_sdk_stream_without_include_usage_gets_no_usage_chunk(client, model):
    chunks = list(client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Stream please"}], stream=True))
    assert chunks, "streamed"
    assert all(chunk.choices for chunk in chunks), [c.model_dump() for c in chunks if not c.choices]
    assert chunks[-1].choices[0].finish_reason == "stop"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text


@pytest.mark.parametrize("model", MODELS)
def test_sdk_stream_with_include_usage_gets_usage(client, model):
    chunks = list(client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Stream please"}], stream=True,
        stream_options={"include_usage": True}))
    usages = [chunk.usage for chunk in chunks if chunk.usage is not None]
    assert usages, "usage reached the client that asked for it"
    assert usages[-1].prompt_tokens > 0 and usages[-1].completion_tokens > 0


@pytest.mark.parametrize("model", MODELS)
def test_raw_sse_without_include_usage_has_no_usage_chunk(base_url, key, model):
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": True}
    with httpx.stream("POST", base_url + "/chat/completions", json=body, timeout=30,
                      headers={"authorization": f"Bearer {key}"}) as response:
        assert response.status_code == 200
        raw = "".join(response.iter_text())
    events = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        data = "\n".join(line[5:].removeprefix(" ") for line in block.split("\n") if line.startswith("data:"))
        if data:
            events.append(data)
    assert events[-1] == "[DONE]"
    payloads = [json.loads(e) for e in events[:-1]]
    assert payloads, raw
    assert not [p for p in payloads if p.get("choices") == [] and p.get("usage")], raw
    assert any(c.get("finish_reason") == "stop" for p in payloads for c in p["choices"])


@pytest.mark.parametrize("model", MODELS)
def test_sdk_whole_answer(client, model):
    answer = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hello"}])
    assert answer.choices[0].message.content
    assert answer.usage.prompt_tokens > 0
