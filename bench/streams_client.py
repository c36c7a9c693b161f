#!/usr/bin/env python3
"""Concurrent-streams load client for bench/streams.sh (Python stdlib only).

Opens N streaming chat completions against one gateway over plain HTTP/1.1 (one connection each,
`Connection: close`), ramped over RAMP seconds, holds them until the provider ends them, and reports:
successes, errors by kind, time to first byte (from just before connect to the first response byte),
connect time, stream duration, the most streams open at once, and the gateway's memory (VmRSS / VmHWM
from /proc/<pid>/status) at fresh start, sampled through the burst, right after it and SETTLE seconds
after it. Prints one line `STREAMSJSON {...}` with everything, after a human-readable summary.

Loopback only: the target host and every source address must be 127.x.x.x.
"""
import argparse
import asyncio
import collections
import errno
import ipaddress
import json
import os
import re
import socket
import subprocess
import sys
import time

IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)


def read_status(pid):
    """VmRSS, VmHWM (bytes) and thread count of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            text = f.read()
    except OSError:
        return None
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
        elif key == "Threads":
            out[key] = int(value)
    return out


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def machine_busy_seconds():
    """CPU seconds all CPUs spent busy (not idle or iowait) since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    t = os.times()
    return t.user + t.system


NETSTAT_KEYS = ("ListenOverflows", "ListenDrops", "SyncookiesSent", "TCPReqQFullDoCookies", "TCPSynRetrans")


def netstat_counters():
    """The kernel's TCP counters that show listen queues overflowing (system-wide: everything here is loopback)."""
    out = {}
    try:
        with open("/proc/net/netstat") as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for names, values in zip(lines[::2], lines[1::2]):
        for k, v in zip(names.split()[1:], values.split()[1:]):
            if k in NETSTAT_KEYS:
                out[k] = int(v)
    return out


def accept_queues(ports):
    """{port: (queued connections, backlog)} of the listening sockets on these ports (`ss -ltn`)."""
    try:
        text = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[3].rsplit(":", 1)[-1].isdigit():
            port = int(parts[3].rsplit(":", 1)[-1])
            if port in ports:
                out[port] = (int(parts[1]), int(parts[2]))
    return out


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


class Stats:
    def __init__(self):
        self.open_streams = 0  # first byte seen, not ended
        self.max_open_streams = 0
        self.connected = 0  # TCP connected, not ended
        self.max_connected = 0
        self.started = 0
        self.finished = 0


class StreamProtocol(asyncio.Protocol):
    """One request, one response; the response ends at EOF (the request asks for Connection: close)."""

    def __init__(self, request, stats, done):
        self.request = request
        self.stats = stats
        self.done = done
        self.first_byte_at = None
        self.done_at = None
        self.buffer = bytearray()
        self.tail = b""
        self.saw_done = False

    def connection_made(self, transport):
        transport.write(self.request)

    def data_received(self, data):
        now = time.monotonic()
        if self.first_byte_at is None:
            self.first_byte_at = now
            self.stats.open_streams += 1
            self.stats.max_open_streams = max(self.stats.max_open_streams, self.stats.open_streams)
        self.buffer += data
        if not self.saw_done:
            window = self.tail + data
            if b"data: [DONE]" in window:
                self.saw_done = True
                self.done_at = now
            self.tail = window[-16:]

    def connection_lost(self, exc):
        if not self.done.done():
            self.done.set_result(exc)


def dechunk(body):
    """Decodes a chunked body; returns (bytes, complete)."""
    out = bytearray()
    i = 0
    while True:
        j = body.find(b"\r\n", i)
        if j < 0:
            return bytes(out), False
        try:
            size = int(body[i:j].split(b";")[0], 16)
        except ValueError:
            return bytes(out), False
        if size == 0:
            return bytes(out), True
        start = j + 2
        if len(body) < start + size:
            out += body[start:]
            return bytes(out), False
        out += body[start:start + size]
        i = start + size + 2


def classify(raw, saw_done):
    """(ok, kind, status) for a whole response."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return False, "no_response" if not raw else "truncated_head", None
    lines = head.split(b"\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0])
    if not match:
        return False, "bad_status_line", None
    status = int(match.group(1))
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    complete = True
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        body, complete = dechunk(body)
    if status != 200:
        code = None
        try:
            err = json.loads(body).get("error", {})
            code = err.get("code") or err.get("type")
        except (ValueError, AttributeError):
            pass
        return False, f"http_{status}" + (f"_{code}" if code else ""), status
    # An in-stream error event (`data: {"error": ...}`) ends a stream the gateway had already begun.
    if re.search(rb'^data: \{"error"', body, re.M):
        return False, "in_stream_error", status
    if not saw_done:
        return False, "no_done" if complete else "truncated_body", status
    return True, "ok", status


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


async def one_stream(i, args, start_at, stats, results, sources, request):
    loop = asyncio.get_running_loop()
    delay = start_at - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
    stats.started += 1
    t0 = time.monotonic()
    rec = {"kind": None, "start": round(t0 - args.t_start, 3)}
    sock = None
    transport = None
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if sources:
            # Let connect() pick the port, so ports are shared across 4-tuples instead of reserved per bind.
            sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            sock.bind((sources[i % len(sources)], 0))
        await asyncio.wait_for(loop.sock_connect(sock, (args.host, args.port)), args.connect_timeout)
        t_conn = time.monotonic()
        stats.connected += 1
        stats.max_connected = max(stats.max_connected, stats.connected)
        done = loop.create_future()
        transport, proto = await loop.create_connection(
            lambda: StreamProtocol(request, stats, done), sock=sock)
        sock = None  # owned by the transport now
        try:
            exc = await asyncio.wait_for(asyncio.shield(done), args.stream_timeout)
        except asyncio.TimeoutError:
            exc = "timeout"
        t_end = time.monotonic()
        stats.connected -= 1
        if proto.first_byte_at is not None:
            stats.open_streams -= 1
        rec["connect"] = round(t_conn - t0, 6)
        rec["ttfb"] = None if proto.first_byte_at is None else round(proto.first_byte_at - t0, 6)
        rec["duration"] = round(t_end - t0, 6)
        if exc == "timeout":
            rec["kind"] = "stream_timeout"
        elif exc is not None and not proto.saw_done:
            rec["kind"] = "reset_" + type(exc).__name__
        else:
            ok, kind, status = classify(bytes(proto.buffer), proto.saw_done)
            rec["kind"] = kind
            rec["status"] = status
    except asyncio.TimeoutError:
        rec["kind"] = "connect_timeout"
    except OSError as e:
        rec["kind"] = "connect_" + (errno.errorcode.get(e.errno, str(e.errno)) if e.errno else type(e).__name__)
    finally:
        if transport is not None:
            transport.abort()
        if sock is not None:
            sock.close()
        stats.finished += 1
    results.append(rec)


async def sampler(pid, samples, stats, stop, t_base, interval):
    while not stop.is_set():
        st = read_status(pid)
        if st:
            samples.append({
                "t": round(time.monotonic() - t_base, 2), "rss": st.get("VmRSS"), "hwm": st.get("VmHWM"),
                "threads": st.get("Threads"), "open": stats.open_streams, "connected": stats.connected,
                "finished": stats.finished,
            })
        try:
            await asyncio.wait_for(stop.wait(), interval)
        except asyncio.TimeoutError:
            pass


def mib(b):
    return None if b is None else round(b / 1048576, 1)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="gateway chat completions URL, http://127.x.x.x:PORT/v1/chat/completions")
    ap.add_argument("--key", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--ramp", type=float, default=5.0, help="seconds over which the N streams are opened")
    ap.add_argument("--sources", default="", help="comma-separated 127.x source addresses, used round-robin")
    ap.add_argument("--connect-timeout", type=float, default=30.0)
    ap.add_argument("--stream-timeout", type=float, default=120.0)
    ap.add_argument("--gateway-pid", type=int, required=True)
    ap.add_argument("--fake-pid", type=int)
    ap.add_argument("--settle", type=float, default=60.0, help="seconds to wait after the burst before the last RSS reading")
    ap.add_argument("--sample-interval", type=float, default=0.1)
    ap.add_argument("--samples-out", help="write the RSS/concurrency timeline here (JSON lines)")
    ap.add_argument("--records-out", help="write one JSON line per stream here")
    ap.add_argument("--fake-port", type=int, help="the fake's port, to watch its accept queue too")
    args = ap.parse_args()

    m = re.match(r"http://([0-9.]+):(\d+)(/.*)$", args.url)
    if not m or not ipaddress.ip_address(m.group(1)).is_loopback:
        sys.exit("streams_client: --url must be http://127.x.x.x:PORT/...")
    args.host, args.port, path = m.group(1), int(m.group(2)), m.group(3)
    sources = [s for s in args.sources.split(",") if s]
    for s in sources:
        if not ipaddress.ip_address(s).is_loopback:
            sys.exit(f"streams_client: source {s} is not a loopback address")

    body = json.dumps({
        "model": args.model, "stream": True, "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": "Tell me a short story about a railway switchyard"}],
    }).encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\nAuthorization: Bearer {args.key}\r\n"
        f"Content-Type: application/json\r\nAccept: text/event-stream\r\nConnection: close\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    gw = args.gateway_pid
    fresh = read_status(gw)
    if fresh is None:
        sys.exit("streams_client: gateway process not found")
    cpu0 = cpu_seconds(gw)
    fake0 = cpu_seconds(args.fake_pid) if args.fake_pid else 0.0
    busy0, own0 = machine_busy_seconds(), own_cpu_seconds()
    stats = Stats()
    results = []
    samples = []
    stop = asyncio.Event()
    t_base = time.monotonic()
    sampler_task = asyncio.create_task(sampler(gw, samples, stats, stop, t_base, args.sample_interval))
    fds_peak = 0
    watched = {args.port: "gateway"}
    if args.fake_port:
        watched[args.fake_port] = "fake"
    queue_peak = {name: [0, None] for name in watched.values()}
    net0 = netstat_counters()

    async def fd_watch():
        nonlocal fds_peak
        while not stop.is_set():
            fds_peak = max(fds_peak, fd_count(gw) or 0)
            for port, (queued, backlog) in accept_queues(set(watched)).items():
                peak = queue_peak[watched[port]]
                peak[0], peak[1] = max(peak[0], queued), backlog
            try:
                await asyncio.wait_for(stop.wait(), 0.5)
            except asyncio.TimeoutError:
                pass

    fd_task = asyncio.create_task(fd_watch())
    start = time.monotonic() + 0.2
    args.t_start = start
    tasks = [
        asyncio.create_task(one_stream(i, args, start + args.ramp * i / args.n, stats, results, sources, request))
        for i in range(args.n)
    ]
    await asyncio.gather(*tasks)
    t_burst_end = time.monotonic()
    cpu1 = cpu_seconds(gw)
    net1 = netstat_counters()
    fake1 = cpu_seconds(args.fake_pid) if args.fake_pid else 0.0
    busy1, own1 = machine_busy_seconds(), own_cpu_seconds()
    # CPU used during the burst by processes other than the gateway, the fake and this client: noise.
    foreign = (busy1 - busy0) - ((cpu1 or 0) - (cpu0 or 0)) - ((fake1 or 0) - (fake0 or 0)) - (own1 - own0)
    after_burst = read_status(gw)
    print(f"burst over after {t_burst_end - start:.1f} s; settling {args.settle:.0f} s", file=sys.stderr, flush=True)
    checkpoints = {}
    for mark in sorted({m for m in (10, 30, 60) if m < args.settle} | {args.settle}):
        await asyncio.sleep(max(0.0, t_burst_end + mark - time.monotonic()))
        st = read_status(gw)
        checkpoints[f"{mark:g}s"] = mib(st and st.get("VmRSS"))
    after_settle = read_status(gw)
    stop.set()
    await sampler_task
    await fd_task

    kinds = collections.Counter(r["kind"] for r in results)
    ok = kinds.pop("ok", 0)
    ttfb = sorted(r["ttfb"] for r in results if r.get("ttfb") is not None)
    conn = sorted(r["connect"] for r in results if r.get("connect") is not None)
    dur = sorted(r["duration"] for r in results if r["kind"] == "ok")
    ms = lambda v: None if v is None else round(v * 1000, 1)
    peak_sampled = max((s["rss"] for s in samples if s["rss"]), default=None)
    hwm = max((s["hwm"] for s in samples if s["hwm"]), default=None)
    if after_settle:
        hwm = max(hwm or 0, after_settle.get("VmHWM", 0))
    out = {
        "n": args.n, "ramp_s": args.ramp, "ok": ok, "errors": sum(kinds.values()), "error_kinds": dict(kinds),
        "max_open_streams": stats.max_open_streams, "max_connected": stats.max_connected,
        "ttfb_ms": {"p50": ms(percentile(ttfb, 50)), "p90": ms(percentile(ttfb, 90)), "p99": ms(percentile(ttfb, 99)),
                    "max": ms(ttfb[-1] if ttfb else None)},
        "connect_ms": {"p50": ms(percentile(conn, 50)), "p99": ms(percentile(conn, 99)), "max": ms(conn[-1] if conn else None)},
        "stream_s": {"p50": round(percentile(dur, 50), 2) if dur else None, "max": round(dur[-1], 2) if dur else None},
        "burst_s": round(t_burst_end - start, 1),
        "accept_queue_peak": {name: {"queued": q, "backlog": b} for name, (q, b) in queue_peak.items()},
        "tcp_counters_burst": {k: net1.get(k, 0) - net0.get(k, 0) for k in NETSTAT_KEYS},
        "gateway": {
            "rss_fresh_mib": mib(fresh.get("VmRSS")),
            "rss_peak_sampled_mib": mib(peak_sampled),
            "vmhwm_mib": mib(hwm),
            "rss_after_burst_mib": mib(after_burst and after_burst.get("VmRSS")),
            "rss_after_settle_mib": mib(after_settle and after_settle.get("VmRSS")),
            "settle_s": args.settle,
            "rss_after_burst_checkpoints_mib": checkpoints,
            "threads_peak": max((s["threads"] for s in samples if s["threads"]), default=None),
            "fds_peak": fds_peak,
            "cpu_s_burst": None if cpu0 is None or cpu1 is None else round(cpu1 - cpu0, 1),
        },
        "cpu_s_burst": {"fake": round((fake1 or 0) - (fake0 or 0), 1), "client": round(own1 - own0, 1),
                        "foreign": round(foreign, 1)},
    }
    if args.fake_pid:
        fk = read_status(args.fake_pid)
        out["fake_vmhwm_mib"] = mib(fk and fk.get("VmHWM"))
    if args.records_out:
        with open(args.records_out, "w") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")
    if args.samples_out:
        with open(args.samples_out, "w") as f:
            for s in samples:
                f.write(json.dumps(s) + "\n")
    g = out["gateway"]
    fresh_ok = g["rss_after_settle_mib"] is not None and g["rss_after_settle_mib"] <= 2 * g["rss_fresh_mib"]
    print(f"streams: {ok}/{args.n} ok, {out['errors']} errors {dict(kinds) or ''}; most open at once {stats.max_open_streams}")
    print(f"TTFB ms: p50 {out['ttfb_ms']['p50']}  p90 {out['ttfb_ms']['p90']}  p99 {out['ttfb_ms']['p99']}  max {out['ttfb_ms']['max']}"
          f"   (connect p99 {out['connect_ms']['p99']} max {out['connect_ms']['max']})")
    c = out["cpu_s_burst"]
    print(f"stream length s: p50 {out['stream_s']['p50']} max {out['stream_s']['max']}; burst {out['burst_s']} s; "
          f"CPU s: gateway {g['cpu_s_burst']}, fake {c['fake']}, client {c['client']}, other processes {c['foreign']}")
    if c["foreign"] > 0.05 * out["burst_s"]:
        print(f"warning: other processes used {c['foreign']} CPU-s during the burst (> 5 % of a core): noisy run")
    qs = ", ".join(f"{name} {q}/{b}" for name, (q, b) in queue_peak.items())
    tc = out["tcp_counters_burst"]
    print(f"accept queue peak (queued/backlog): {qs}; kernel during the burst: listen overflows {tc['ListenOverflows']}, "
          f"SYN cookies {tc['SyncookiesSent']}, SYN retransmits {tc['TCPSynRetrans']}")
    print(f"gateway RSS MiB: fresh {g['rss_fresh_mib']}  peak {g['rss_peak_sampled_mib']} (VmHWM {g['vmhwm_mib']})  "
          f"after burst {g['rss_after_burst_mib']}  then " + ", ".join(f"+{k} {v}" for k, v in checkpoints.items()) +
          f"   threads {g['threads_peak']} fds {g['fds_peak']}")
    print(f"goals: 0 errors {'yes' if out['errors'] == 0 else 'NO'}; peak RSS <= 256 MiB "
          f"{'yes' if hwm is not None and hwm <= 256 * 1048576 else 'NO'}; "
          f"RSS {args.settle:g} s after the burst within 2x of fresh {'yes' if fresh_ok else 'NO'}")
    print("STREAMSJSON " + json.dumps(out), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
