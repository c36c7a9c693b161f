"""The gateway binary as an operator runs it: start without a config, and graceful shutdown."""

import os
import re
import signal
import subprocess
import tempfile
import threading
import time

import openai
import pytest


def start(args, env=None):
    process = subprocess.Popen(
        [os.environ["SWITCHYARD_BIN"], *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
    )
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "clients authenticate" in line:
            break  # the banner's last line
    match = re.search(r"http://127\.0\.0\.1:(\d+)/v1", "".join(lines))
    if not match:
        process.kill()
        pytest.fail("gateway did not start: " + "".join(lines))
    return process, f"http://127.0.0.1:{match.group(1)}/v1", "".join(lines)


def write_config(text):
    """A gateway config file for the fake providers; returns its path."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as config:
        config.write(text)
    return config.name


def test_starts_without_config_and_prints_how_to_authenticate():
    env = {"OPENAI_API_KEY": "sk-from-env", "MISTRAL_API_KEY": "mk", "SWITCHYARD_MASTER_KEY": ""}
    process, url, banner = start(["serve", "--port", "0"], env)
    try:
        assert "providers: openai, mistral" in banner
        key = re.search(r"(sk-switchyard-\w+)", banner).group(1)
        client = openai.OpenAI(base_url=url, api_key=key, max_retries=0)
        ids = [m.id for m in client.models.list()]
        assert "openai/gpt-4o" in ids and "mistral/mistral-large-latest" in ids
        assert "sk-from-env" not in banner, "provider keys are never printed"
        # Printed as OPENAI_API_KEY=..., the master key would be read back as the OpenAI provider key.
        assert "OPENAI_API_KEY" not in banner.replace("set OPENAI_API_KEY (or another", ""), banner
        assert "not a provider key" in banner
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_graceful_shutdown_drains_in_flight_stream():
    fake = os.environ["FAKE_URL"]
    config = write_config(
        'server: { listen: "127.0.0.1:0", master_key: "sk-drain" }\n'
        "providers:\n"
        f'  slow: {{ kind: openai, api_key: k, base_url: "{fake}/openai/chunk_delay=100,chunks=15/v1" }}\n'
    )
    process, url, _ = start(["serve", "--config", config])
    client = openai.OpenAI(base_url=url, api_key="sk-drain", max_retries=0)
    stream = client.chat.completions.create(
        model="slow/gpt-4o-mini", messages=[{"role": "user", "content": "drain me"}], stream=True
    )
    chunks = []
    iterator = iter(stream)
    chunks.append(next(iterator))
    process.send_signal(signal.SIGTERM)
    chunks.extend(iterator)
    assert any(c.choices and c.choices[0].finish_reason == "stop" for c in chunks), "stream finished normally"
    assert process.wait(timeout=30) == 0


def test_master_key_from_the_environment_applies_with_a_config_file():
    fake = os.environ["FAKE_URL"]
    config = write_config(
        'server: { listen: "127.0.0.1:0" }\n'
        "providers:\n"
        f'  openai: {{ api_key: sk-fake-openai, base_url: "{fake}/openai/v1" }}\n'
    )
    process, url, banner = start(["serve", "--config", config], {"SWITCHYARD_MASTER_KEY": "sk-from-environment"})
    try:
        assert "sk-switchyard-" not in banner, "no key generated when the environment has one"
        assert "sk-from-environment" not in banner, "the master key is not printed"
        good = openai.OpenAI(base_url=url, api_key="sk-from-environment", max_retries=0)
        assert good.chat.completions.create(
            model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]).choices[0].message.content
        bad = openai.OpenAI(base_url=url, api_key="sk-other", max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            bad.models.list()
    finally:
        process.terminate()
        process.wait(timeout=30)
