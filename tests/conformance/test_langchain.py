"""LangChain's ChatOpenAI, unchanged, pointed at the gateway: structured output and forced tools — requests that
send `parallel_tool_calls: false` — on models whose providers have no such switch (issue 11 §2)."""

import json
import os
import urllib.request
import uuid

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

MODELS = [
    "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0",
    "cohere/command-a-03-2025",
    "anthropic/claude-sonnet-4-5",
    "gemini/gemini-2.5-flash",
    "gemini/gemini-3-flash-preview",
]


class Weather(BaseModel):
    """The weather report for a city."""

    city: str = Field(description="The city")


@tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


@tool
def get_time(zone: str) -> str:
    """Current time in a time zone."""
    return "12:00"


def chat(base_url, key, **kwargs):
    return ChatOpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=30, **kwargs)


def fake_received(marker):
    with urllib.request.urlopen(os.environ["FAKE_URL"] + "/_fake/requests", timeout=10) as reply:
        log = json.load(reply)
    return [json.loads(entry["body"]) for entry in log if marker in entry["body"]]


@pytest.mark.parametrize("model", MODELS)
def test_with_structured_output_function_calling(base_url, key, model):
    marker = uuid.uuid4().hex
    structured = chat(base_url, key, model=model).with_structured_output(
        Weather, method="function_calling", include_raw=True
    )
    result = structured.invoke(f"Weather in {marker}?")
    assert result["parsing_error"] is None, result
    assert isinstance(result["parsed"], Weather), result
    assert marker in result["parsed"].city
    raw = result["raw"]
    assert [call["name"] for call in raw.tool_calls] == ["Weather"]
    # The request did carry the constraint the provider cannot: the gateway kept it and said so.
    sent = raw.response_metadata
    assert sent.get("finish_reason") in ("tool_calls", "stop"), sent


@pytest.mark.parametrize("model", MODELS)
def test_bind_tools_with_forced_choice_and_a_tool_loop(base_url, key, model):
    marker = uuid.uuid4().hex
    llm = chat(base_url, key, model=model).bind_tools(
        [get_weather, get_time], tool_choice="get_weather", parallel_tool_calls=False
    )
    question = HumanMessage(f"Weather in {marker}?")
    first = llm.invoke([question])
    assert len(first.tool_calls) == 1, first
    call = first.tool_calls[0]
    assert call["name"] == "get_weather"
    assert marker in call["args"]["city"]
    # LangChain rebuilds the assistant message from id, name and arguments only.
    history = [
        question,
        AIMessage(content="", tool_calls=[{"id": call["id"], "name": call["name"], "args": call["args"]}]),
        ToolMessage(content=f"sunny, result {marker}", tool_call_id=call["id"]),
    ]
    second = chat(base_url, key, model=model).bind_tools([get_weather, get_time]).invoke(history)
    assert second.response_metadata.get("finish_reason") == "stop", second
    assert second.content, second
    results = [body for body in fake_received(f"result {marker}")]
    assert len(results) == 1, "the tool result reached the provider once"


@pytest.mark.parametrize("model", MODELS)
def test_streamed_structured_output(base_url, key, model):
    marker = uuid.uuid4().hex
    structured = chat(base_url, key, model=model, streaming=True).with_structured_output(
        Weather, method="function_calling"
    )
    chunks = list(structured.stream(f"Weather in {marker}?"))
    assert chunks, "streamed"
    assert isinstance(chunks[-1], Weather)
    assert marker in chunks[-1].city
