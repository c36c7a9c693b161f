"""`switchyard check` and `serve` on out-of-range config durations: a clear error and a non-zero exit, no signal."""

import os
import subprocess
import tempfile

import pytest

BAD_DURATIONS = [
    ("timeouts.first_byte", 'timeouts: { first_byte: "1e300s" }'),
    ("limits.max_stream_duration", 'limits: { max_stream_duration: "1e300" }'),
    ("timeouts.idle", 'timeouts: { idle: "1e17h" }'),
    ("timeouts.total", 'timeouts: { total: "-5s" }'),
    ("timeouts.connect", 'timeouts: { connect: "721h" }'),
]


def run(command, text):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as config:
        config.write(text + '\nserver: { listen: "127.0.0.1:0" }\nproviders:\n  openai: { api_key: sk-x }\n')
    try:
        return subprocess.run(
            [os.environ["SWITCHYARD_BIN"], command, "--config", config.name],
            capture_output=True, text=True, timeout=60,
        )
    finally:
        os.unlink(config.name)


@pytest.mark.parametrize("path,text", BAD_DURATIONS, ids=[p for p, _ in BAD_DURATIONS])
@pytest.mark.parametrize("command", ["check", "serve"])
def test_out_of_range_duration_is_rejected_with_key_line_and_range(command, path, text):
    result = run(command, text)
    output = result.stdout + result.stderr
    assert result.returncode > 0, f"exit {result.returncode} (negative = killed by a signal): {output}"
    assert path in output, output
    assert "(line 1)" in output, output
    assert "between 1ms and 30 days" in output, output
