"""Virtual keys, limits, budgets and the spend log with the official SDKs and the real binary (CONTRACT §2)."""

import concurrent.futures
import os
import subprocess
import time
import uuid

import anthropic
import httpx
import openai
import pytest

from test_process import start, write_config


def admin(base_url, key, method, path, **kwargs):
    root = base_url.removesuffix("/v1")
    return httpx.request(method, f"{root}/admin{path}", headers={"authorization": f"Bearer {key}"}, timeout=30, **kwargs)


def create_key(base_url, key, **fields):
    created = admin(base_url, key, "POST", "/keys", json={"name": f"sdk-{uuid.uuid4().hex[:6]}", **fields})
    assert created.status_code == 201, created.text
    return created.json()


def test_the_official_sdks_with_a_virtual_key(base_url, key):
    created = create_key(base_url, key, models=["openai/*", "anthropic/*"], rpm=3)
    secret = created["key"]
    assert secret.startswith("sk-sy-")
    client = openai.OpenAI(base_url=base_url, api_key=secret, max_retries=0)

    raw = client.chat.completions.with_raw_response.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hello"}]
    )
    assert raw.parse().choices[0].message.content
    assert raw.headers["x-ratelimit-limit-requests"] == "3"
    assert raw.headers["x-ratelimit-remaining-requests"] == "2"
    assert "x-switchyard-cost-usd" in raw.headers

    with pytest.raises(openai.PermissionDeniedError) as denied:
        client.chat.completions.create(model="mistral/mistral-large-latest", messages=[{"role": "user", "content": "hi"}])
    assert denied.value.code == "model_not_allowed"
    assert "mistral/mistral-large-latest" in denied.value.message

    claude = anthropic.Anthropic(base_url=base_url.removesuffix("/v1"), api_key=secret, max_retries=0)
    message = claude.messages.create(
        model="anthropic/claude-sonnet-4-5", max_tokens=16, messages=[{"role": "user", "content": "hello"}]
    )
    assert message.content[0].text
    with pytest.raises(anthropic.PermissionDeniedError):
        claude.messages.create(model="gemini/gemini-2.5-flash", max_tokens=16, messages=[{"role": "user", "content": "hi"}])

    # Refused models do not count against the rpm: the Claude call was the second, this is the third,
    # and the fourth in the minute is refused with retry-after.
    client.chat.completions.create(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "2"}])
    with pytest.raises(openai.RateLimitError) as limited:
        client.chat.completions.create(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "3"}])
    assert limited.value.code == "rate_limit_exceeded"
    assert int(limited.value.response.headers["retry-after"]) >= 1

    assert admin(base_url, key, "DELETE", f"/keys/{created['id']}").status_code == 204
    with pytest.raises(openai.AuthenticationError) as revoked:
        client.models.list()
    assert revoked.value.code == "invalid_api_key"

    rows = admin(base_url, key, "GET", f"/requests?key={created['id']}").json()["data"]
    statuses = sorted(row["status"] for row in rows)
    assert statuses == [200, 200, 200, 403, 403, 429], statuses


def test_a_budget_refuses_with_insufficient_quota(base_url, key):
    created = create_key(base_url, key, budget={"max_usd": 0.00005, "period": "day"})
    client = openai.OpenAI(base_url=base_url, api_key=created["key"], max_retries=0)
    served = 0
    with pytest.raises(openai.RateLimitError) as refused:
        for _ in range(200):
            client.chat.completions.create(
                model="openai/gpt-4o-mini", max_tokens=8, messages=[{"role": "user", "content": "spend"}]
            )
            served += 1
    assert served >= 1
    assert refused.value.code == "budget_exceeded"
    assert refused.value.response.headers["x-should-retry"] == "false"
    budgets = admin(base_url, key, "GET", "/budgets?scope=key").json()["data"]
    mine = next(b for b in budgets if b["id"] == created["id"])
    assert 0 < mine["spent_usd"] <= 0.00005


def gateway_config(store, fake, sync="200ms", master="sk-gov-master"):
    return write_config(
        f'server: {{ listen: "127.0.0.1:0", master_key: "{master}" }}\n'
        f"store: {store}\n"
        f'governance: {{ sync_interval: "{sync}" }}\n'
        "providers:\n"
        f'  openai: {{ api_key: sk-fake, base_url: "{fake}/openai/v1" }}\n'
    )


def stop(process):
    process.terminate()
    process.wait(timeout=60)


@pytest.mark.skipif(not os.environ.get("SWITCHYARD_TEST_POSTGRES"), reason="needs the test PostgreSQL server")
def test_two_instances_on_one_postgres_share_keys_and_a_hard_cap():
    server = os.environ["SWITCHYARD_TEST_POSTGRES"]
    database = "sy_" + uuid.uuid4().hex
    subprocess.run(["psql", server, "-q", "-c", f"CREATE DATABASE {database}"], check=True)
    url = server.rsplit("/", 1)[0] + "/" + database
    config = gateway_config(f'{{ postgres: "{url}" }}', os.environ["FAKE_URL"])
    first, url_a, _ = start(["serve", "--config", config])
    second, url_b, _ = start(["serve", "--config", config])
    try:
        created = create_key(url_a, "sk-gov-master", budget={"max_usd": 0.0002, "period": "total"})
        secret = created["key"]
        # The other instance learns the key within sync_interval.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = httpx.get(url_b + "/models", headers={"authorization": f"Bearer {secret}"})
            if probe.status_code == 200:
                break
            time.sleep(0.05)
        assert probe.status_code == 200

        def one(url):
            answer = httpx.post(
                url + "/chat/completions",
                headers={"authorization": f"Bearer {secret}"},
                json={"model": "openai/gpt-4o-mini", "max_tokens": 8, "messages": [{"role": "user", "content": "share"}]},
                timeout=30,
            )
            return answer.status_code, answer.json().get("error", {}).get("code")

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            results = list(pool.map(one, [url_a, url_b] * 60))
        served = sum(1 for status, _ in results if status == 200)
        refused = [code for status, code in results if status != 200]
        assert served >= 4, results
        assert refused and set(refused) == {"budget_exceeded"}, results

        # Each instance writes its own rows in the background: both are in the store shortly.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            spent = admin(url_b, "sk-gov-master", "GET", f"/spend?key={created['id']}").json()["total"]
            if spent["requests"] == 120:
                break
            time.sleep(0.1)
        assert spent["requests"] == 120, spent
        assert 0 < spent["cost_usd"] <= 0.0002, f"never over the cap across both instances: {spent}"

        # Revoked on one instance: the other answers 401 within sync_interval.
        assert admin(url_a, "sk-gov-master", "DELETE", f"/keys/{created['id']}").status_code == 204
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if httpx.get(url_b + "/models", headers={"authorization": f"Bearer {secret}"}).status_code == 401:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the revoked key still works on the other instance")
    finally:
        stop(first)
        stop(second)


def test_the_cli_manages_keys_and_reads_spend(tmp_path):
    fake = os.environ["FAKE_URL"]
    config = gateway_config(f'{{ sqlite: "{tmp_path}/switchyard.db" }}', fake)
    binary = os.environ["SWITCHYARD_BIN"]

    def cli(*args):
        done = subprocess.run([binary, *args, "--config", config], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    team = cli("teams", "create", "--name", "platform", "--budget", "25")
    assert "team_" in team
    created = cli("keys", "create", "--name", "cli-key", "--team", "platform", "--models", "openai/*", "--rpm", "30")
    secret = next(line.split()[1] for line in created.splitlines() if line.startswith("key:"))
    key_id = next(line.split()[1] for line in created.splitlines() if line.startswith("id:"))
    assert secret.startswith("sk-sy-") and secret not in cli("keys", "list")

    process, url, _ = start(["serve", "--config", config])
    try:
        client = openai.OpenAI(base_url=url, api_key=secret, max_retries=0)
        for _ in range(3):
            client.chat.completions.create(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "cli"}])
    finally:
        stop(process)  # graceful stop flushes the spend rows

    table = cli("spend", "--group-by", "model")
    line = next(line for line in table.splitlines() if line.startswith("openai/gpt-4o-mini"))
    assert line.split()[1] == "3", table
    cli("keys", "revoke", key_id)
    assert "revoked" in cli("keys", "list")
