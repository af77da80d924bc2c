#!/usr/bin/env python3
"""Live stream load: N concurrent subscribers to `GET /v1/articles/stream` on one `serve`,
then articles POSTed one at a time; measures how long each takes to reach every subscriber.

Half of the subscribers take every article (no filter), half `?q=WORD`; every posted article
contains WORD in its title and body, so each subscriber must receive every post. Latency of
a (subscriber, post) pair: the time the subscriber read the event minus the time the POST's
response was read (the article is committed before the response is sent), and minus the
time the POST was sent. Times are taken by this one asyncio process, so a burst of 1,000
events is timestamped as fast as Python reads them: the figures are upper bounds.

    bench/sse_load.py --url http://127.0.0.1:PORT [--subscribers 1000] [--posts 20]
                      --token NAME:SECRET [--pid SERVE_PID] [--word election]

Standard library only. Prints a report, and last a one-line summary starting with `sse `.
Exits 1 when a subscriber failed to connect or missed a post, 2 when a POST failed.
"""

import argparse
import asyncio
import datetime
import json
import os
import resource
import sys
import time
import uuid
from urllib.parse import quote, urlsplit


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="serve's base URL, http://HOST:PORT")
    p.add_argument("--subscribers", type=int, default=1000)
    p.add_argument("--posts", type=int, default=20)
    p.add_argument("--token", required=True, help="a write token (NAME:SECRET or SECRET)")
    p.add_argument("--pid", type=int, help="serve's process id, for its RSS")
    p.add_argument("--word", default="election", help="the q= filter; in every posted article")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between posts")
    p.add_argument("--connect-timeout", type=float, default=120.0,
                   help="seconds for all subscribers to get their response headers")
    p.add_argument("--deliver-timeout", type=float, default=10.0,
                   help="seconds to wait for deliveries after the last post's response")
    p.add_argument("--connect-concurrency", type=int, default=100,
                   help="connections being opened at once")
    return p.parse_args()


def raise_nofile(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < needed:
            print(f"warning: open-file limit {target} < {needed} needed", file=sys.stderr)


def memory(pid):
    """(VmRSS, VmHWM) of PID in MiB, or (None, None)."""
    if pid is None:
        return None, None
    values = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) / 1024
    except OSError:
        return None, None
    return values.get("VmRSS"), values.get("VmHWM")


async def read_head(reader):
    """Status code and headers (lower-case names) of an HTTP/1.1 response."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed before the response")
    parts = status_line.decode("latin-1").split(None, 2)
    status = int(parts[1])
    headers = {}
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("connection closed in the response headers")
        if line in (b"\r\n", b"\n"):
            return status, headers
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()


async def read_body(reader, headers):
    """The whole body: Content-Length, chunked, or up to the end of the connection."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = bytearray()
        async for chunk in chunks(reader):
            body += chunk
        return bytes(body)
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    return await reader.read()


async def chunks(reader):
    """The data of a chunked body, chunk by chunk, as it arrives."""
    while True:
        size_line = await reader.readline()
        if not size_line:
            return
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            # Trailers, up to the blank line.
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            return
        data = await reader.readexactly(size)
        await reader.readexactly(2)
        yield data


class Subscriber:
    def __init__(self, index, path):
        self.index = index
        self.path = path
        self.received = {}  # article URL -> monotonic time the event was read
        self.events = 0
        self.comments = 0
        self.error = None
        self.connected = False
        self.closed = False


class SseParser:
    """Splits SSE lines into events; calls on_event(event_type, id, data) at each blank line."""

    def __init__(self, on_event, on_comment):
        self.buffer = b""
        self.data = []
        self.event = None
        self.id = None
        self.on_event = on_event
        self.on_comment = on_comment

    def feed(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\n")
            if end < 0:
                return
            line = self.buffer[:end].rstrip(b"\r").decode("utf-8", "replace")
            self.buffer = self.buffer[end + 1:]
            self.line(line)

    def line(self, line):
        if line == "":
            if self.data:
                self.on_event(self.event or "message", self.id, "\n".join(self.data))
            self.data, self.event = [], None
            return
        if line.startswith(":"):
            self.on_comment()
            return
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            self.data.append(value)
        elif field == "event":
            self.event = value
        elif field == "id":
            self.id = value


async def subscribe(host, port, sub, gate, all_connected, stop):
    try:
        async with gate:
            reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
            writer.write(
                f"GET {sub.path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n".encode()
            )
            await writer.drain()
            status, headers = await read_head(reader)
            content_type = headers.get("content-type", "")
            if status != 200 or not content_type.startswith("text/event-stream"):
                body = await asyncio.wait_for(read_body(reader, headers), 5)
                raise RuntimeError(f"HTTP {status} {content_type}: {body[:200]!r}")
            sub.connected = True
        all_connected.arrived()

        def on_event(kind, _id, data):
            now = time.monotonic()
            sub.events += 1
            if kind != "article":
                return
            try:
                url = json.loads(data).get("url")
            except ValueError:
                return
            if url is not None and url not in sub.received:
                sub.received[url] = now

        def on_comment():
            sub.comments += 1

        parser = SseParser(on_event, on_comment)
        if "chunked" in headers.get("transfer-encoding", "").lower():
            source = chunks(reader)
        else:
            async def raw():
                while True:
                    data = await reader.read(65536)
                    if not data:
                        return
                    yield data
            source = raw()
        reading = asyncio.ensure_future(_pump(source, parser))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if reading.done():
            reading.result()
            sub.closed = True
            if not stop.is_set():
                sub.error = "the server ended the stream"
        reading.cancel()
        stopping.cancel()
        writer.close()
    except Exception as error:  # noqa: BLE001 (reported per subscriber)
        sub.error = f"{type(error).__name__}: {error}"
        if not sub.connected:
            all_connected.arrived()


async def _pump(source, parser):
    async for data in source:
        parser.feed(data)


class Countdown:
    """Set when every subscriber has either connected or failed."""

    def __init__(self, count):
        self.left = count
        self.done = asyncio.Event()
        if count == 0:
            self.done.set()

    def arrived(self):
        self.left -= 1
        if self.left <= 0:
            self.done.set()


async def post(host, port, token, article):
    """POSTs one article; (send time, response time, stored URL)."""
    body = json.dumps(article).encode()
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        f"POST /v1/articles HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    sent = time.monotonic()
    writer.write(request)
    await writer.drain()
    status, headers = await read_head(reader)
    response = await read_body(reader, headers)
    answered = time.monotonic()
    writer.close()
    if status not in (200, 201):
        raise RuntimeError(f"POST answered {status}: {response[:300]!r}")
    stored = json.loads(response)
    if isinstance(stored, dict) and isinstance(stored.get("data"), list):
        stored = stored["data"][0]
    elif isinstance(stored, dict) and isinstance(stored.get("data"), dict):
        stored = stored["data"]
    return sent, answered, stored.get("url", article["url"]), status


def article(run, number, word):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return {
        "url": f"https://sse-bench.example.org/{run}/{number}",
        "title": f"Regional {word} count continues in Springfield ({run} #{number})",
        "body": (
            f"Officials in Springfield said on {now:%A} that the {word} count would continue "
            f"through the night. Mayor Jane Holloway told reporters in Springfield that turnout "
            f"in the {word} had been higher than expected, and the Electoral Commission of "
            f"Illinois said it would publish the results on Friday. Reference {run}-{number}."
        ),
        "published_at": now.isoformat().replace("+00:00", "Z"),
    }


def percentile(values, share):
    """Nearest-rank percentile of sorted values."""
    if not values:
        return float("nan")
    rank = max(1, -(-len(values) * share // 100))
    return values[int(rank) - 1]


async def main():
    args = parse_args()
    raise_nofile(args.subscribers + 256)
    target = urlsplit(args.url)
    host, port = target.hostname, target.port or 80
    run = uuid.uuid4().hex[:12]

    filtered = f"/v1/articles/stream?q={quote(args.word)}"
    subs = [
        Subscriber(i, "/v1/articles/stream" if i % 2 == 0 else filtered)
        for i in range(args.subscribers)
    ]
    rss_before, hwm_before = memory(args.pid)
    gate = asyncio.Semaphore(max(1, args.connect_concurrency))
    countdown = Countdown(len(subs))
    stop = asyncio.Event()
    started = time.monotonic()
    tasks = [
        asyncio.ensure_future(subscribe(host, port, s, gate, countdown, stop)) for s in subs
    ]
    try:
        await asyncio.wait_for(countdown.done.wait(), args.connect_timeout)
    except asyncio.TimeoutError:
        pass
    connect_seconds = time.monotonic() - started
    connected = sum(1 for s in subs if s.connected and s.error is None)
    # A moment for the streams to reach their subscription (after the headers are sent).
    await asyncio.sleep(1.0)
    rss_connected, _ = memory(args.pid)
    print(f"subscribers connected: {connected}/{len(subs)} in {connect_seconds:.1f} s")

    posts = []  # (sent, answered, stored url, status)
    post_error = None
    for number in range(args.posts):
        if number:
            await asyncio.sleep(args.interval)
        try:
            posts.append(await post(host, port, args.token, article(run, number, args.word)))
        except Exception as error:  # noqa: BLE001
            post_error = f"post {number}: {type(error).__name__}: {error}"
            print(post_error, file=sys.stderr)
            break

    urls = [p[2] for p in posts]
    deadline = time.monotonic() + args.deliver_timeout
    while time.monotonic() < deadline:
        if all(url in s.received for s in subs if s.connected for url in urls):
            break
        await asyncio.sleep(0.05)
    rss_after, hwm_after = memory(args.pid)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)

    after_response, after_send = [], []
    missing = []
    for s in subs:
        for number, (sent, answered, url, _status) in enumerate(posts):
            got = s.received.get(url)
            if got is None:
                missing.append((s.index, number))
            else:
                after_response.append((got - answered) * 1000)
                after_send.append((got - sent) * 1000)
    after_response.sort()
    after_send.sort()
    expected = len(subs) * len(posts)
    delivered = len(after_response)

    created = sum(1 for p in posts if p[3] == 201)
    post_ms = sorted((a - s) * 1000 for s, a, _, _ in posts)
    print(f"posts: {len(posts)}/{args.posts} ({created} created), POST round trip "
          f"p50 {percentile(post_ms, 50):.1f} ms, max {max(post_ms, default=float('nan')):.1f} ms")
    print(f"events expected {expected}, received {delivered}")
    failed = [s for s in subs if s.error]
    for s in failed[:20]:
        print(f"subscriber {s.index} ({s.path}): {s.error}")
    if len(failed) > 20:
        print(f"... and {len(failed) - 20} more subscribers failed")
    if missing:
        by_post = {}
        for sub_index, number in missing:
            by_post.setdefault(number, []).append(sub_index)
        for number, who in sorted(by_post.items()):
            shown = ", ".join(str(i) for i in who[:20]) + (" ..." if len(who) > 20 else "")
            print(f"missing: post {number} at {len(who)} subscriber(s): {shown}")

    def stats(values):
        return (f"p50 {percentile(values, 50):.1f} ms, p99 {percentile(values, 99):.1f} ms, "
                f"max {max(values, default=float('nan')):.1f} ms, "
                f"min {min(values, default=float('nan')):.1f} ms")

    print(f"delivery after the POST response: {stats(after_response)}")
    print(f"delivery after the POST was sent: {stats(after_send)}")
    for kind, path in (("unfiltered", "/v1/articles/stream"), ("q filter", filtered)):
        values = sorted(
            (s.received[url] - answered) * 1000
            for s in subs if s.path == path
            for _, answered, url, _ in posts if url in s.received
        )
        print(f"  {kind} ({path}): {len(values)} deliveries, {stats(values)}")

    def mib(value):
        return "na" if value is None else f"{value:.0f}"

    if args.pid is not None:
        print(f"serve RSS: {mib(rss_before)} MiB before, {mib(rss_connected)} MiB with "
              f"{connected} subscribers, {mib(rss_after)} MiB after the posts; peak (VmHWM) "
              f"{mib(hwm_before)} MiB before, {mib(hwm_after)} MiB at the end")
        if rss_before is not None and rss_connected is not None and connected:
            per = (rss_connected - rss_before) * 1024 / connected
            print(f"  about {per:.1f} KiB per subscriber")

    def ms(values, share):
        return f"{percentile(values, share):.1f}" if values else "na"

    print(
        f"sse subscribers={connected}/{len(subs)} posts={len(posts)}/{args.posts} "
        f"delivered={delivered}/{expected} "
        f"p50_ms={ms(after_response, 50)} p99_ms={ms(after_response, 99)} "
        f"max_ms={(f'{after_response[-1]:.1f}' if after_response else 'na')} "
        f"send_p50_ms={ms(after_send, 50)} send_p99_ms={ms(after_send, 99)} "
        f"rss_before_mib={mib(rss_before)} rss_connected_mib={mib(rss_connected)} "
        f"rss_after_mib={mib(rss_after)} hwm_mib={mib(hwm_after)}"
    )
    if post_error:
        return 2
    if failed or missing or connected < len(subs) or len(posts) < args.posts:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
