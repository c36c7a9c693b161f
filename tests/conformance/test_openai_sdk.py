"""The official openai SDK, unchanged, pointed at the gateway (which routes to the fake providers)."""

import base64
import json
import os
import struct
import urllib.request
import uuid

import openai
import pytest

from fakelog import assert_tool_result_reached_provider, fake_received




@pytest.fixture()
def client(base_url, key):
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)


@pytest.fixture()
def async_client(base_url, key):
    return openai.AsyncOpenAI(base_url=base_url, api_key=key, max_retries=0)


def test_sync_chat(client):
    completion = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hello gateway"}]
    )
    assert completion.object == "chat.completion"
    assert "hello gateway" in completion.choices[0].message.content
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens > 0


def test_sync_chat_with_raw_headers(client):
    raw = client.chat.completions.with_raw_response.create(
        model="mistral-large-latest", messages=[{"role": "user", "content": "bonjour"}]
    )
    assert raw.headers["x-switchyard-provider"] == "mistral"
    assert raw.headers["x-switchyard-model"] == "mistral-large-latest"
    assert raw.headers["x-request-id"]
    assert "bonjour" in raw.parse().choices[0].message.content


@pytest.mark.asyncio
async def test_async_chat(async_client):
    completion = await async_client.chat.completions.create(
        model="groq/llama-3.3-70b-versatile", messages=[{"role": "user", "content": "async hi"}]
    )
    assert "async hi" in completion.choices[0].message.content


def test_streaming_with_usage(client):
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "stream please"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "stream please" in text
    assert [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens > 0


def test_streaming_without_usage_has_no_usage_chunk(client):
    stream = client.chat.completions.create(
        model="deepseek-chat", messages=[{"role": "user", "content": "no usage"}], stream=True
    )
    chunks = list(stream)
    assert all(c.choices for c in chunks), "the usage chunk the gateway requested is not shown"
    assert "no usage" in "".join(c.choices[0].delta.content or "" for c in chunks)


@pytest.mark.asyncio
async def test_async_streaming(async_client):
    stream = await async_client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "async stream"}], stream=True
    )
    text = ""
    async for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
    assert "async stream" in text


def test_tool_calls(client):
    completion = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "weather in Paris"}],
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                    },
                },
            }
        ],
    )
    call = completion.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert call.id.startswith("call_")
    assert completion.choices[0].finish_reason == "tool_calls"


def test_embeddings_default_base64(client):
    # The SDK asks for base64 by default and decodes it itself.
    result = client.embeddings.create(model="text-embedding-3-small", input=["one", "two"])
    assert len(result.data) == 2
    assert len(result.data[0].embedding) > 0
    assert all(isinstance(x, float) for x in result.data[0].embedding)


def test_embeddings_float(client):
    result = client.embeddings.create(
        model="text-embedding-3-small", input="one", encoding_format="float", dimensions=4
    )
    assert len(result.data[0].embedding) == 4


def test_model_list(client):
    ids = [m.id for m in client.models.list()]
    assert ids[:2] == ["support-bot", "corp-gpt"]
    assert "openai/gpt-4o" in ids
    assert "mistral/mistral-large-latest" in ids


def test_legacy_completions(client):
    completion = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Say this is a test")
    assert completion.object == "text_completion"
    assert completion.choices[0].text


def test_failover_is_invisible(client):
    raw = client.chat.completions.with_raw_response.create(
        model="support-bot", messages=[{"role": "user", "content": "still works"}]
    )
    assert raw.headers["x-switchyard-provider"] == "openai"
    assert raw.headers["x-switchyard-attempts"] == "2"


def test_azure_deployment(client):
    completion = client.chat.completions.create(
        model="corp-gpt", messages=[{"role": "user", "content": "azure"}]
    )
    assert "azure" in completion.choices[0].message.content


def test_errors_map_to_sdk_exceptions(client, base_url):
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    assert missing.value.code == "model_not_found"
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=base_url, api_key="wrong", max_retries=0).models.list()
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="limited/gpt-4o", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="gpt-4o", messages="not a list")


NATIVE_MODELS = [
    "anthropic/claude-sonnet-4-5",
    "gemini/gemini-2.5-flash",
    "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0",
    "cohere/command-a-03-2025",
]


@pytest.mark.parametrize("model", NATIVE_MODELS)
def test_native_provider_chat(client, model):
    completion = client.chat.completions.create(
        model=model, messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "translated"}]
    )
    assert "translated" in completion.choices[0].message.content
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens > 0


@pytest.mark.parametrize("model", NATIVE_MODELS)
def test_native_provider_stream_with_usage(client, model):
    chunks = list(
        client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "streamed"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "streamed" in text
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


@pytest.mark.parametrize("model", NATIVE_MODELS)
def test_native_provider_tool_loop(client, model):
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            },
        }
    ]
    messages = [{"role": "user", "content": "Rome"}]
    first = client.chat.completions.create(model=model, messages=messages, tools=tools)
    assert first.choices[0].finish_reason == "tool_calls"
    call = first.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather"
    messages += [first.choices[0].message.model_dump(exclude_none=True)]
    result = f"21C {uuid.uuid4().hex}"
    messages += [{"role": "tool", "tool_call_id": call.id, "content": result}]
    second = client.chat.completions.create(model=model, messages=messages, tools=tools)
    assert second.choices[0].finish_reason == "stop"
    assert_tool_result_reached_provider(model, call.id, "get_weather", json.loads(call.function.arguments), result)
    assert json.loads(call.function.arguments) == {"city": "Rome"}
