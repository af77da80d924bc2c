#!/usr/bin/env python3
"""The dashboard in a real browser: headless Chromium (Debian's), driven by Playwright,
against a running `serve` whose database holds the bundled sample and the seed article.

    python3 tests/ui/check_dashboard.py --url http://127.0.0.1:8080 --token TOKEN \
        --screenshots target/screenshots/dashboard

Checks every view loads without console errors or failed requests; the first view's
budgets (rendered within 1 s, at most 500 KB transferred); that searching "Вучић" finds
Aleksandar Vucic and "vucevic" leads to Milos Vucevic's page; that each timeline has one point per bucket the API returned; that
every highlighted mention's text equals the mention the API reports at that offset; and that
an article POSTed while the live view is open appears in it; and that no view has a serious or
critical accessibility violation (axe-core). Saves a screenshot of each view
and prints the measured figures as one JSON line. Exits 1 with the failures listed.
tests/api/dashboard_browser.rs runs it.
"""

import argparse
import json
import os
import sys
import time
import urllib.parse
import urllib.request
import uuid

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

FIRST_VIEW_MS = 1000
FIRST_VIEW_BYTES = 500 * 1024

failures = []
figures = {}


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return json.load(response)


def vertices(points):
    return len(points.split()) if points else 0


def check_timelines(page, base, view):
    """Each drawn series has as many vertices as its API URL returned buckets."""
    lines = page.locator("polyline.series")
    count = lines.count()
    check(count > 0, f"{view}: no timeline is drawn")
    panel = page.locator("section:has(polyline.series)").first
    url = panel.locator(".links a", has_text="API").get_attribute("href")
    answer = api(base, url)
    series = answer["series"] if "series" in answer else [answer]
    check(count == len(series), f"{view}: {count} lines drawn, {len(series)} series in {url}")
    for n, one in enumerate(series[:count]):
        line = lines.nth(n)
        drawn = vertices(line.get_attribute("points"))
        check(
            drawn == len(one["data"]) == int(line.get_attribute("data-points")),
            f"{view}: series {n} has {drawn} points drawn, {len(one['data'])} buckets in {url}",
        )
    return count


AXE = Axe()


# The last render each page was seen to finish (app.js numbers them in main's data-render).
seen_renders = {}


def wait_ready(page, view, timeout=15000):
    """Waits for the render after the last one seen on this page to finish with `view` (so a
    check never reads the page it navigated from), then checks it shows no error and has no
    serious or critical accessibility violation (axe-core's rules)."""
    after = seen_renders.get(id(page), 0)
    page.wait_for_function(
        f"(m => m && Number(m.dataset.render ?? 0) > {after} && m.dataset.ready === {json.dumps(view)})"
        "(document.getElementById('main'))",
        timeout=timeout,
    )
    seen_renders[id(page)] = page.evaluate("Number(document.getElementById('main').dataset.render)")
    error = page.locator("#main .error")
    check(error.count() == 0, f"{view}: the page shows an error: {error.all_inner_texts()}")
    violations = AXE.run(page).response["violations"]
    figures.setdefault("axe_violations", {})[view] = len(violations)
    for v in violations:
        check(v["impact"] not in ("serious", "critical"),
              f"{view}: accessibility: {v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}")


def post_article(base, token, title):
    body = json.dumps(
        {
            "url": f"https://live.example.org/{uuid.uuid4()}",
            "title": title,
            "body": "Officials in Belgrade and Pristina met on Monday, the European Union said.",
            "published_at": "2024-05-06T10:00:00Z",
        }
    ).encode()
    request = urllib.request.Request(
        base + "/v1/articles",
        data=body,
        method="POST",
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    base = args.url.rstrip("/")
    os.makedirs(args.screenshots, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        problems = []
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}")
                if "/v1/articles/stream" not in r.url else None)
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
        transferred = []
        page.on("requestfinished", lambda r: transferred.append(r))

        def shot(name):
            page.screenshot(path=os.path.join(args.screenshots, f"{name}.png"), full_page=True)

        # The first view, cold: rendered within 1 s, at most 500 KB over the wire.
        page.goto(base + "/")
        wait_ready(page, "overview")
        # Every panel of the first view is in the page (app.js marks it); then its paint.
        rendered = page.evaluate("performance.getEntriesByName('newsgraph:ready:overview')[0].startTime")
        figures["first_contentful_paint_ms"] = page.evaluate(
            "Math.round(performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1)"
        )
        page.wait_for_load_state("networkidle")
        sizes = [r.sizes() for r in transferred]
        total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
        figures.update(first_view_ms=round(rendered), first_view_bytes=total, first_view_requests=len(sizes))
        figures["first_view_timing"] = page.evaluate(
            "performance.getEntriesByType('resource').map(r => "
            "[r.name.replace(location.origin, ''), Math.round(r.startTime), Math.round(r.responseEnd)])"
        )
        check(rendered <= FIRST_VIEW_MS, f"overview rendered after {rendered:.0f} ms (budget {FIRST_VIEW_MS})")
        check(total <= FIRST_VIEW_BYTES, f"overview transferred {total} bytes (budget {FIRST_VIEW_BYTES})")
        for kind in ("person", "place", "organization"):
            check(page.locator(f"#most-mentioned .type.{kind}").count() == 1, f"overview: no {kind} facet")
        check(page.locator("#most-mentioned ol.ranked li").count() > 10, "overview: the facets are nearly empty")
        check(page.locator(".map circle").count() > 0, "overview: no place on the map")
        figures["overview_series"] = check_timelines(page, base, "overview")
        shot("overview")

        # The search box is accent- and script-tolerant: Вучић finds Aleksandar Vucic.
        page.fill("#q", "Вучић")
        page.press("#q", "Enter")
        wait_ready(page, "search")
        found = page.locator("#entity-results ol li a").first.inner_text()
        check(found == "Aleksandar Vucic", f"search: Вучић found {found!r} first")

        # Search for "vucevic" and follow the first entity to its page.
        page.fill("#q", "vucevic")
        page.press("#q", "Enter")
        wait_ready(page, "search")
        first = page.locator("#entity-results ol li a").first
        check(first.inner_text() == "Milos Vucevic", f"search: first entity is {first.inner_text()!r}")
        shot("search")
        first.click()
        wait_ready(page, "entity")
        check("Milos Vucevic" in page.locator("h1").inner_text(), "entity: the heading is not Milos Vucevic")
        check(page.url.endswith("#/entity/milos-vucevic"), f"entity: the URL is {page.url}")
        check_timelines(page, base, "entity")
        check(page.locator("#related circle[data-related]").count() > 0, "entity: the related graph is empty")
        marks = page.locator("#articles mark").all_inner_texts()
        check(marks and all(m in ("Milos Vucevic", "Vucevic") for m in marks), f"entity: marked snippets {marks}")
        shot("entity")

        # The skip link moves the focus to the content and leaves the view as it is.
        page.focus(".skip")
        page.keyboard.press("Enter")
        check(page.evaluate("document.activeElement.id") == "main", "the skip link does not reach the content")
        check("Milos Vucevic" in page.locator("h1").inner_text(), "the skip link changed the view")

        # The article, every mention highlighted where the API says it is.
        page.locator("#articles ul li > a").first.click()
        wait_ready(page, "article")
        article_id = page.url.rsplit("/", 1)[1]
        stored = api(base, f"/v1/articles/{article_id}")
        surfaces = {(m["field"], m["start"]): m["text"] for e in stored["entities"] for m in e["mentions"]}
        links = page.locator("a.mention")
        check(links.count() > 0, "article: no mention is highlighted")
        for n in range(links.count()):
            link = links.nth(n)
            key = (link.get_attribute("data-field"), int(link.get_attribute("data-start")))
            check(surfaces.get(key) == link.inner_text(),
                  f"article: highlighted {link.inner_text()!r} at {key}, the API says {surfaces.get(key)!r}")
        figures["article_mentions_checked"] = links.count()
        check(page.locator('a.mention[data-entity="milos-vucevic"]').count() == 3,
              "article: Milos Vucevic is not highlighted three times")
        shot("article")

        # Compare three entities, then add a fourth by name.
        page.goto(base + "/#/compare?id=milos-vucevic&id=aleksandar-vucic&id=kosovo")
        wait_ready(page, "compare")
        check(check_timelines(page, base, "compare") == 3, "compare: not three series")
        page.fill("#compare-name", "serbian progressive party")
        page.press("#compare-name", "Enter")
        page.wait_for_function("location.hash.includes('serbian-progressive-party')")
        wait_ready(page, "compare")
        check(check_timelines(page, base, "compare") == 4, "compare: adding a fourth did not chart it")
        page.fill("#compare-name", "Kosovo")
        page.press("#compare-name", "Enter")
        page.locator("#compare-add .error", has_text="already charted").wait_for(timeout=5000)
        check(page.url.count("id=kosovo") == 1, f"compare: Kosovo added twice: {page.url}")
        shot("compare")

        # Live: an article stored while the view is open appears in it.
        page.goto(base + "/#/live")
        wait_ready(page, "live")
        page.wait_for_function("document.getElementById('main').dataset.live === 'open'", timeout=15000)
        title = f"Live check {uuid.uuid4().hex[:8]}"
        started = time.monotonic()
        post_article(base, args.token, title)
        try:
            page.locator("#live-list li a", has_text=title).wait_for(timeout=15000)
            figures["live_ms"] = round((time.monotonic() - started) * 1000)
        except Exception:  # noqa: BLE001 - reported as a failure
            check(False, "live: the posted article did not appear within 15 s")
        shot("live")

        # A link reproduces a view: a fresh page at the entity's URL shows the entity, with
        # the bucket size the URL names; choosing another changes the URL and the chart.
        fresh = context.new_page()
        fresh.goto(base + "/#/entity/kosovo?interval=month")
        wait_ready(fresh, "entity")
        check(fresh.locator("h1").inner_text().startswith("Kosovo"), "a link to #/entity/kosovo shows another page")
        check(fresh.locator("#interval").input_value() == "month", "the interval in the URL is not shown")
        check_timelines(fresh, base, "entity by month")
        fresh.select_option("#interval", "week")
        fresh.wait_for_function("location.hash.endsWith('interval=week')")
        wait_ready(fresh, "entity")
        check_timelines(fresh, base, "entity by week")
        # "More" reads the next page of an entity's articles.
        top = api(base, "/v1/entities?sort=-article_count&limit=1")["data"][0]
        fresh.goto(base + f"/#/entity/{top['slug']}")
        wait_ready(fresh, "entity")
        shown = fresh.locator("#articles ul li")
        before = shown.count()
        if check(top["article_count"] > before, f"{top['slug']}: {before} of {top['article_count']} shown, no next page"):
            fresh.click("#articles button")
            fresh.wait_for_function(f"document.querySelectorAll('#articles ul li').length > {before}")
            check(shown.count() == min(top["article_count"], 2 * before), f"{top['slug']}: {shown.count()} shown after More")
        fresh.close()

        for problem in problems:
            failures.append(problem)
        browser.close()

    print(json.dumps(figures))
    if failures:
        print("\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
