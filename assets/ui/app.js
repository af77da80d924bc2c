// newsgraph's reference dashboard. Every panel is one or two requests to the public,
// documented API (see /docs); each shows the URL it came from and its CSV twin, so the page
// doubles as an example of the API. The view and its state live in the URL's fragment
// (#/entity/milos-vucevic, #/compare?id=a&id=b, …), so a link reproduces what is on screen.
import { legend, placesMap, relatedGraph, timelineChart } from "./charts.js";
import { api, csvOf, entityLink, fmt, h, panel, plural, q, typeBadge } from "./dom.js";

const main = document.getElementById("main");
/** The number of the latest render: an older one still loading leaves the page alone. */
let rendering = 0;
const TYPES = ["person", "place", "organization"];
let live = null;

// ---- text with mentions ----------------------------------------------------------------

/**
 * `text` with each mention (`start`/`end` in Unicode code points, as the API gives them)
 * made a link to its entity. Overlapping mentions keep the first.
 */
function withMentions(text, mentions) {
  const points = Array.from(text);
  const out = [];
  let at = 0;
  for (const m of [...mentions].sort((a, b) => a.start - b.start)) {
    if (m.start < at) continue;
    out.push(points.slice(at, m.start).join(""));
    out.push(
      h("a", {
        class: `mention ${m.entity.type}`,
        href: `#/entity/${q(m.entity.slug)}`,
        title: `${m.entity.name} (${m.entity.type})`,
        "data-entity": m.entity.slug,
        "data-start": m.start,
        "data-field": m.field,
        text: points.slice(m.start, m.end).join(""),
      }),
    );
    at = m.end;
  }
  out.push(points.slice(at).join(""));
  return out;
}

/** A snippet with the mention's surface marked (its first occurrence). */
function markedSnippet(mention) {
  const at = mention.snippet.indexOf(mention.text);
  if (at < 0) return h("p", { class: "snippet", text: mention.snippet });
  return h("p", { class: "snippet" }, mention.snippet.slice(0, at), h("mark", { text: mention.text }), mention.snippet.slice(at + mention.text.length));
}

function articleItem(article, { mentions = [] } = {}) {
  const date = article.published_at ? article.published_at.slice(0, 10) : "undated";
  return h(
    "li",
    {},
    h("a", { href: `#/article/${article.id}`, text: article.title || article.url }),
    h("div", { class: "meta", text: `${date} · ${article.source?.name ?? ""}` }),
    mentions.slice(0, 2).map(markedSnippet),
  );
}

// ---- views -----------------------------------------------------------------------------

/** The first screen: who and what is most mentioned, and how it moves over time. */
async function overview(root) {
  const statsUrl = "/v1/stats";
  const facetsUrl = "/v1/articles/facets?limit=8";
  const placesUrl = "/v1/articles/places?limit=200";
  // The comparison needs the facets' top five: it is asked as soon as they arrive.
  const compared = api(facetsUrl).then(async (facets) => {
    const top = TYPES.flatMap((type) => facets.entities[type])
      .sort((a, b) => b.count - a.count)
      .slice(0, 5);
    const url = `/v1/entities/timeline?${top.map((e) => `id=${q(e.slug)}`).join("&")}`;
    return { facets, url, comparison: top.length ? await api(url) : null };
  });
  const [stats, { facets, url: compareUrl, comparison }, places] = await Promise.all([api(statsUrl), compared, api(placesUrl)]);
  root.append(
    h("h1", { text: "What the news names" }),
    h(
      "div",
      { class: "stats" },
      h("span", {}, h("b", { text: fmt(stats.articles) }), "articles"),
      h("span", {}, h("b", { text: fmt(stats.entities) }), "entities"),
      h("span", {}, h("b", { text: fmt(stats.mentions) }), "mentions"),
      h("span", {}, h("b", { text: fmt(stats.sources) }), "sources"),
      stats.first_published && h("span", {}, h("b", { text: `${stats.first_published.slice(0, 10)} – ${stats.last_published.slice(0, 10)}` }), "published"),
    ),
    h(
      "div",
      { class: "grid" },
      panel("Most mentioned", { json: facetsUrl, csv: csvOf(facetsUrl), wide: true, id: "most-mentioned" }, facetLists(facets)),
      comparison && comparisonPanel("How the five most named move over time", compareUrl, comparison),
      panel("Places named", { json: placesUrl, csv: csvOf(placesUrl), wide: true, id: "places" }, placesMap(places)),
    ),
  );
}

function facetLists(facets) {
  return h(
    "div",
    { class: "facets" },
    TYPES.map((type) => {
      const list = facets.entities[type];
      const max = Math.max(1, ...list.map((e) => e.count));
      return h(
        "div",
        {},
        h("h3", {}, typeBadge(type)),
        h(
          "ol",
          { class: "ranked" },
          list.map((e) => h("li", {}, entityLink(e), h("span", { class: "muted", text: fmt(e.count) }), h("span", { class: "bar", style: `width:${(100 * e.count) / max}%` }))),
        ),
      );
    }),
    h(
      "div",
      {},
      h("h3", { text: "Sources" }),
      h(
        "ol",
        { class: "ranked" },
        facets.sources.map((src) => h("li", {}, h("span", { text: src.name }), h("span", { class: "muted", text: fmt(src.count) }))),
      ),
    ),
  );
}

function comparisonPanel(title, url, comparison) {
  const series = comparison.series.map((one) => ({
    name: one.entity.name,
    data: one.data,
    link: entityLink(one.entity),
    spikes: one.data.filter((b) => b.spike).length,
  }));
  const totals = comparison.series[0]?.data.map((b) => b.total) ?? null;
  return panel(
    title,
    { json: url, csv: csvOf(url), wide: true, id: "comparison" },
    timelineChart(series, { totals, label: title }),
    legend(series),
    h("p", { class: "muted", text: `${comparison.interval} buckets (${comparison.tz}); grey: all articles per bucket; dots: spikes (score ≥ ${comparison.spike_rule.threshold} over the previous ${comparison.spike_rule.window} buckets).` }),
  );
}

/** Entities and articles matching the search box. */
async function search(root, text) {
  root.append(h("h1", { text: text ? `Search: ${text}` : "Search" }));
  if (!text) {
    root.append(h("p", { class: "muted", text: "Type a name (accents and typos are fine) or words (\"quoted phrases\", or, -not)." }));
    return;
  }
  const entitiesUrl = `/v1/entities?q=${q(text)}&limit=10&count=true`;
  const articlesUrl = `/v1/articles?q=${q(text)}&limit=10&count=true&fields=id,title,url,published_at,source`;
  const [entities, articles] = await Promise.all([api(entitiesUrl), api(articlesUrl)]);
  root.append(
    h(
      "div",
      { class: "grid" },
      panel(
        `Entities (${fmt(entities.count ?? entities.data.length)})`,
        { json: entitiesUrl, csv: csvOf(entitiesUrl), id: "entity-results" },
        entities.data.length
          ? h("ol", { class: "ranked" }, entities.data.map((e) => h("li", {}, h("span", {}, entityLink(e), " ", typeBadge(e.type)), h("span", { class: "muted", text: plural(e.article_count, "article") }))))
          : h("p", { class: "muted", text: "No entity has that name." }),
      ),
      panel(
        `Articles (${fmt(articles.count ?? articles.data.length)})`,
        { json: articlesUrl, csv: csvOf(articlesUrl), id: "article-results" },
        articles.data.length ? h("ul", { class: "plain articles" }, articles.data.map((a) => articleItem(a))) : h("p", { class: "muted", text: "No article matches." }),
      ),
    ),
  );
}

/** One entity: who or what it is, when it is named, with whom, where, and in which articles. */
async function entity(root, id, interval) {
  const e = await api(`/v1/entities/${q(id)}`);
  const slug = q(e.slug);
  const timelineUrl = `/v1/articles/timeline?entity=${slug}${interval ? `&interval=${q(interval)}` : ""}`;
  const relatedUrl = `/v1/entities/${slug}/related?limit=12`;
  const articlesUrl = `/v1/entities/${slug}/articles?limit=10`;
  const placesUrl = `/v1/articles/places?entity=${slug}&limit=100`;
  const [timeline, related, articles, places] = await Promise.all([api(timelineUrl), api(relatedUrl), api(articlesUrl), api(placesUrl)]);
  const others = e.aliases.filter((alias) => alias !== e.name);
  root.append(
    h("h1", {}, e.name, " ", typeBadge(e.type)),
    others.length ? h("p", { class: "aliases", text: `Also: ${others.join(", ")}` }) : null,
    h("p", { class: "muted" }, `${plural(e.article_count, "article")}, ${plural(e.mention_count, "mention")}`, e.wikidata_id ? ` · Wikidata ${e.wikidata_id}` : "", " · ", h("a", { href: `#/compare?id=${slug}`, text: "compare" })),
    h(
      "div",
      { class: "grid" },
      panel(
        "Articles per bucket",
        { json: timelineUrl, csv: csvOf(timelineUrl), wide: true, id: "timeline" },
        intervalPicker(timeline.interval, interval, (value) => `#/entity/${slug}${value ? `?interval=${value}` : ""}`),
        timelineChart([{ name: e.name, data: timeline.data }], { totals: timeline.data.map((b) => b.total), label: `${e.name} over time` }),
        h("p", { class: "muted", text: `${timeline.interval} buckets; ${plural(timeline.data.filter((b) => b.spike).length, "spike")}; ${plural(timeline.undated, "undated article")}.` }),
      ),
      panel(
        "Named together",
        { json: relatedUrl, csv: csvOf(relatedUrl), id: "related" },
        related.data.length ? relatedGraph(e, related.data) : h("p", { class: "muted", text: "No other entity shares an article." }),
        h("ol", { class: "ranked" }, related.data.map((r) => h("li", {}, h("span", {}, entityLink(r), " ", typeBadge(r.type)), h("span", { class: "muted", text: `${fmt(r.co_count)} together` })))),
      ),
      panel("Places in its articles", { json: placesUrl, csv: csvOf(placesUrl), id: "places" }, placesMap(places)),
      panel(
        "Articles",
        { json: articlesUrl, csv: csvOf(articlesUrl), wide: true, id: "articles" },
        pagedList(articlesUrl, articles, (a) => articleItem(a, { mentions: a.mentions })),
      ),
    ),
  );
  return e.name;
}

/** Up to ten entities on one timeline, with their spikes. */
async function compare(root, ids, interval) {
  root.append(h("h1", { text: "Compare" }));
  const form = h(
    "form",
    { class: "inline", id: "compare-add" },
    h("label", { for: "compare-name", class: "visually-hidden", text: "Add an entity by name" }),
    h("input", { id: "compare-name", name: "name", placeholder: "Add a person, place or organization…", required: true }),
    h("button", { type: "submit", text: "Add" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = form.elements.name.value.trim();
    form.querySelector(".error")?.remove();
    try {
      const found = await api(`/v1/entities?q=${q(name)}&limit=1`);
      if (!found.data[0]) throw new Error(`No entity is named ${name}.`);
      if (shown.includes(found.data[0].slug)) throw new Error(`${found.data[0].name} is already charted.`);
      // The slugs charted (ids given another way resolve to them), without repeats.
      const slugs = new Set([...shown, found.data[0].slug]);
      location.hash = `#/compare?${[...slugs].slice(-10).map((id) => `id=${q(id)}`).join("&")}`;
    } catch (error) {
      form.append(h("span", { class: "error", role: "alert", text: error.message }));
    }
  });
  root.append(form);
  let shown = ids;
  if (ids.length === 0) {
    root.append(h("p", { class: "muted", text: "Add up to ten entities to chart them together." }));
    return;
  }
  const ask = ids.map((id) => `id=${q(id)}`).join("&");
  const url = `/v1/entities/timeline?${ask}${interval ? `&interval=${q(interval)}` : ""}`;
  const comparison = await api(url);
  shown = comparison.series.map((one) => one.entity.slug);
  root.append(
    h(
      "div",
      { class: "chips" },
      comparison.series.map((one) => {
        const rest = comparison.series.filter((other) => other !== one).map((other) => `id=${q(other.entity.slug)}`);
        return h("span", { class: "chip" }, entityLink(one.entity), h("a", { href: `#/compare?${rest.join("&")}`, "aria-label": `Remove ${one.entity.name}`, class: "plain", text: " ×" }));
      }),
    ),
    intervalPicker(comparison.interval, interval, (value) => `#/compare?${ask}${value ? `&interval=${value}` : ""}`),
    comparisonPanel("Articles per bucket", url, comparison),
  );
}

/** A choice of bucket size that changes the URL (so a link keeps it). */
function intervalPicker(shown, asked, hrefFor) {
  const select = h(
    "select",
    { id: "interval", name: "interval" },
    [["", `automatic (${shown})`], ["day", "day"], ["week", "week"], ["month", "month"]].map(([value, label]) =>
      h("option", { value, selected: (asked ?? "") === value, text: label }),
    ),
  );
  select.addEventListener("change", () => {
    location.hash = hrefFor(select.value);
  });
  return h("form", { class: "inline" }, h("label", { for: "interval", text: "Buckets" }), select);
}

/** A list of the first page of `url`'s answer, with a button reading the next pages. */
function pagedList(url, first, item) {
  const list = h("ul", { class: "plain articles" }, first.data.map(item));
  const more = h("button", { type: "button", text: "More" });
  let cursor = first.next_cursor;
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await api(`${url}&cursor=${q(cursor)}`);
      list.append(...page.data.map(item));
      cursor = page.next_cursor;
    } catch (error) {
      list.after(h("p", { class: "error", role: "alert", text: error.message }));
    }
    more.disabled = false;
    if (!cursor) more.remove();
  });
  return h("div", {}, list, cursor ? more : null);
}

/** One article with every mention highlighted and linked to its entity. */
async function article(root, id) {
  const a = await api(`/v1/articles/${q(id)}`);
  const mentions = { title: [], body: [] };
  for (const e of a.entities) {
    for (const m of e.mentions) mentions[m.field]?.push({ ...m, entity: e });
  }
  const date = a.published_at ? a.published_at.slice(0, 10) : "undated";
  root.append(
    h("h1", { id: "article-title" }, ...withMentions(a.title ?? "", mentions.title)),
    h("p", { class: "meta muted" }, `${date} · ${a.source?.name ?? ""} · `, h("a", { href: a.url, rel: "noopener noreferrer", text: "original" }), " · ", h("a", { href: `/v1/articles/${q(id)}`, text: "API" })),
    h("div", { class: "article-body", id: "article-body" }, ...withMentions(a.body ?? "", mentions.body)),
    h(
      "p",
      { class: "muted" },
      `${a.entities.length} ${a.entities.length === 1 ? "entity" : "entities"}: `,
      a.entities.flatMap((e, i) => [i ? ", " : "", entityLink(e)]),
    ),
  );
  return a.title;
}

/** New matching articles as they are imported (Server-Sent Events). */
function liveView(root, filter) {
  const form = h(
    "form",
    { class: "inline", id: "live-filter" },
    h("label", { for: "live-q", text: "Only articles matching" }),
    h("input", { id: "live-q", name: "q", value: filter, placeholder: "any words (empty: every article)" }),
    h("button", { type: "submit", text: "Watch" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = form.elements.q.value.trim();
    location.hash = value ? `#/live?q=${q(value)}` : "#/live";
  });
  const url = `/v1/articles/stream?fields=id,title,url,published_at,source${filter ? `&q=${q(filter)}` : ""}`;
  const status = h("p", { class: "muted", id: "live-status", text: "Connecting…" });
  const list = h("ul", { class: "plain articles", id: "live-list", "aria-live": "polite" });
  root.append(h("h1", { text: "Live" }), form, h("p", { class: "links" }, h("a", { href: url, text: "API (text/event-stream)" })), status, list);
  live = new EventSource(url);
  live.addEventListener("open", () => {
    status.textContent = "Watching: new and updated articles appear here as they are stored.";
    main.dataset.live = "open";
  });
  live.addEventListener("error", () => {
    // A refused stream (too many open, a bad filter) is not retried by the browser.
    status.textContent =
      live?.readyState === EventSource.CLOSED ? "The server refused the stream; reload to try again." : "Reconnecting…";
  });
  live.addEventListener("article", (event) => {
    list.prepend(articleItem(JSON.parse(event.data)));
    // The newest 200 stay on the page.
    while (list.children.length > 200) list.lastElementChild.remove();
  });
}

function closeLive() {
  if (live) {
    live.close();
    live = null;
  }
}

// ---- routing ---------------------------------------------------------------------------

async function render() {
  const current = ++rendering;
  const root = document.createElement("div");
  const [path, query = ""] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(query);
  let view = "overview";
  let title = null;
  closeLive();
  main.setAttribute("aria-busy", "true");
  try {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    view = parts[0] ?? "overview";
    highlightNav(view);
    if (view === "overview") await overview(root);
    else if (view === "search") await search(root, params.get("q") ?? "");
    else if (view === "entity" && parts[1]) title = await entity(root, parts[1], params.get("interval"));
    else if (view === "compare") await compare(root, params.getAll("id"), params.get("interval"));
    else if (view === "article" && parts[1]) title = await article(root, parts[1]);
    else if (view === "live") liveView(root, params.get("q") ?? "");
    else root.append(h("h1", { text: "Not found" }), h("p", {}, "No such view. ", h("a", { href: "#/", text: "Back to the overview" })));
  } catch (error) {
    root.append(h("p", { class: "error", role: "alert", text: error.message }));
  }
  // A newer render (the fragment changed meanwhile) owns the page.
  if (current !== rendering) return;
  main.replaceChildren(...root.childNodes);
  main.setAttribute("aria-busy", "false");
  main.dataset.ready = view;
  main.dataset.render = String(current);
  document.title = title ? `${title} · newsgraph` : "newsgraph";
  if (view === "search") document.getElementById("q").value = params.get("q") ?? "";
  // When each view was complete, for anyone measuring (the browser test reads the first).
  performance.mark(`newsgraph:ready:${view}`);
}

function highlightNav(view) {
  for (const link of document.querySelectorAll("nav a")) {
    const target = link.getAttribute("href").slice(2) || "overview";
    if (target === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

document.getElementById("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = document.getElementById("q").value.trim();
  location.hash = `#/search?q=${q(text)}`;
});
// Only `#/…` fragments are views; others (the skip link's `#main`) leave the page alone.
window.addEventListener("hashchange", () => {
  if (location.hash === "" || location.hash.startsWith("#/")) render();
});
document.querySelector(".skip").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
render();
