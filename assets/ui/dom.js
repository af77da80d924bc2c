// The dashboard's building blocks: elements, API requests, panels, formatting. Plain DOM:
// text and attributes only, never HTML strings.

const SVG_NS = "http://www.w3.org/2000/svg";

/** An element with attributes (`text` sets its text) and children (strings or nodes). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** An SVG element with attributes and children. */
export function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attrs);
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

function setAttributes(node, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
}

/** `text` cut to `most` code points, with an ellipsis when cut. */
export function shorten(text, most) {
  const points = Array.from(text);
  return points.length > most ? `${points.slice(0, most - 1).join("")}…` : text;
}

/** GETs an API path as JSON; an error response becomes an Error with its problem detail. */
export async function api(path) {
  const response = await fetch(path, { headers: { accept: "application/json" } });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail ?? detail;
    } catch {
      // not problem+json
    }
    throw new Error(`${response.status}: ${detail} (${path})`);
  }
  return response.json();
}

/** `path` with `format=csv` added. */
export function csvOf(path) {
  return path + (path.includes("?") ? "&" : "?") + "format=csv";
}

/** A panel: a title, links to the API URL(s) it drew and their CSV, and its content. */
export function panel(title, { json, csv, wide, id } = {}, ...content) {
  const links = h("span", { class: "links" });
  if (json) links.append(h("a", { href: json, text: "API" }));
  if (csv) links.append(h("a", { href: csv, text: "CSV", download: "" }));
  return h(
    "section",
    { class: wide ? "panel wide" : "panel", id, "aria-label": title },
    h("header", {}, h("h2", { text: title }), links),
    ...content,
  );
}

const number = new Intl.NumberFormat("en");
export const fmt = (n) => number.format(n);
export const plural = (n, word) => `${fmt(n)} ${word}${n === 1 ? "" : "s"}`;

export function typeBadge(type) {
  return h("span", { class: `type ${type}`, text: type });
}

export function entityLink(entity) {
  return h("a", { href: `#/entity/${encodeURIComponent(entity.slug)}`, text: entity.name });
}

export function q(value) {
  return encodeURIComponent(value);
}
