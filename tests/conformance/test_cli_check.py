"""`switchyard check --config FILE`: README's "Unknown keys and bad values stop the start with the key path and
line", `${VAR}` "is an error when unset", and every shipped example validates."""

import os
import pathlib
import re
import subprocess
import tempfile

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
UNSET = "SWITCHYARD_CHECK_TEST_UNSET_VARIABLE"


def check(path, env=None):
    return subprocess.run(
        [os.environ["SWITCHYARD_BIN"], "check", "--config", str(path)],
        capture_output=True, text=True, timeout=60, env=env if env is not None else os.environ.copy(),
    )


def check_text(text, env=None):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as config:
        config.write(text)
    try:
        return check(config.name, env)
    finally:
        os.unlink(config.name)


# (id, file text, the exact first line of the error `check` prints). Line numbers count from 1.
BAD_FILES = [
    (
        "unknown-key",
        'server: { listen: "127.0.0.1:0" }\n'
        "providers:\n"
        "  openai:\n"
        "    api_key: sk-x\n"
        '    base_ulr: "http://127.0.0.1:1/v1"\n',
        "config: providers.openai.base_ulr (line 5): unknown key 'base_ulr'; expected one of: ",
    ),
    (
        "unknown-top-level-key",
        "providers:\n  openai: { api_key: sk-x }\nmodel:\n  - { name: m, to: openai/gpt-4o }\n",
        "config: model (line 3): unknown key 'model'; expected one of: ",
    ),
    (
        "bad-number",
        "providers:\n  openai: { api_key: sk-x }\nlimits:\n  max_body_bytes: lots\n",
        "config: limits.max_body_bytes (line 4): expected a whole number, got 'lots'",
    ),
    (
        "out-of-range-retry",
        "providers:\n"
        "  openai: { api_key: sk-x }\n"
        "models:\n"
        "  - name: m\n"
        "    to: openai/gpt-4o\n"
        "    retry: { attempts: 0 }\n",
        "config: models[0].retry.attempts (line 6): must be between 1 and 10, got 0",
    ),
    (
        "unknown-retry-class",
        "providers:\n"
        "  openai: { api_key: sk-x }\n"
        "models:\n"
        "  - name: m\n"
        "    to: openai/gpt-4o\n"
        "    retry:\n"
        "      on: [rate_limit, sometimes]\n",
        "config: models[0].retry.on[1] (line 7): unknown error class 'sometimes'; use one of: ",
    ),
    (
        "unset-variable",
        "providers:\n  openai:\n    api_key: \"${" + UNSET + "}\"\n",
        "config: providers.openai.api_key (line 3): environment variable " + UNSET + " is not set",
    ),
]


def env_without(*names):
    env = os.environ.copy()
    for name in names:
        env.pop(name, None)
    return env


@pytest.mark.parametrize("text,expected", [(t, e) for _, t, e in BAD_FILES], ids=[i for i, _, _ in BAD_FILES])
def test_bad_file_fails_with_key_path_and_line(text, expected):
    result = check_text(text, env_without(UNSET))
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"exit {result.returncode} (negative = killed by a signal): {output}"
    assert output.startswith(expected), output
    assert "config OK" not in output, output


def test_unset_variable_with_default_falls_back_and_set_variable_is_read():
    text = (
        "providers:\n"
        "  openai:\n"
        "    api_key: \"${" + UNSET + "}\"\n"
        "  mistral: { api_key: \"${" + UNSET + "_TOO:-fallback-key}\" }\n"
    )
    result = check_text(text, {**env_without(UNSET + "_TOO"), UNSET: "sk-from-env"})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.startswith("config OK: 2 provider(s), 0 model route(s), "), output


def test_bad_target_names_its_own_line():
    text = "providers:\n  openai: { api_key: sk-x }\nmodels:\n  - name: m\n    to: nowhere/gpt-4o\n"
    result = check_text(text)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert output.startswith("config: models[0].to (line 5): 'nowhere/gpt-4o' does not name a configured provider"), output
    fallback = text + "    fallbacks:\n      - openai/gpt-4o\n      - elsewhere/x\n"
    fallback = fallback.replace("to: nowhere/gpt-4o", "to: openai/gpt-4o")
    result = check_text(fallback)
    output = result.stdout + result.stderr
    assert output.startswith("config: models[0].fallbacks[1] (line 8): 'elsewhere/x' is not a configured model"), output


def required_variables(text):
    """`${VAR}` without a `:-default`: these must be set for the file to load."""
    return sorted(set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text)))


def all_variables(text):
    return sorted(set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}", text)))


def test_there_are_examples():
    assert [p.name for p in EXAMPLES if p.name in ("switchyard.yaml", "fake-providers.yaml")] == [
        "fake-providers.yaml", "switchyard.yaml",
    ], EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_is_valid(path):
    text = path.read_text()
    # Nothing from the caller's environment: defaults apply, and required variables get dummy values.
    env = env_without(*all_variables(text))
    env.update({name: f"dummy-{name.lower()}" for name in required_variables(text)})
    result = check(path, env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    parsed = yaml.safe_load(text)
    providers = len(parsed.get("providers") or {})
    models = len(parsed.get("models") or [])
    assert output.startswith(f"config OK: {providers} provider(s), {models} model route(s), "), output
