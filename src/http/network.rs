//! `GET /v1/articles/network`: the co-mention network of the articles matching a filter, its
//! most named entities and the pairs named together, as JSON (nodes and edges, as
//! `/v1/entities/{id}/related?format=graph` has them), GEXF 1.3 with time slices (each node
//! and edge carries the spells of the buckets in which it appears, so Gephi's timeline plays
//! the network) or GraphML.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use quick_xml::escape::escape;
use serde_json::json;
use uuid::Uuid;

use super::answers::{Axis, entity_labels, mark_source};
use super::articles::article_filter;
use super::error::ApiError;
use super::params::Params;
use super::read_db::ReadDb;
use crate::answers;
use crate::answers::count::{self, Network};
use crate::db::answers::{Bound, EntityLabel};
use crate::db::timeline::Interval;
use crate::directory::Directory;
use crate::domain::EntityKind;
use crate::textindex::TextIndex;

/// Parameters of `GET /v1/articles/network`.
pub const NETWORK_PARAMS: &[&str] = &[
    "q",
    "entity",
    "type",
    "from",
    "to",
    "source",
    "updated_since",
    "nodes",
    "node_type",
    "min_weight",
    "interval",
    "tz",
    "format",
];

/// The most nodes one network holds.
const MAX_NODES: i64 = 200;

/// `GET /v1/articles/network`.
pub async fn get_article_network(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    State(text_index): State<Option<Arc<TextIndex>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), NETWORK_PARAMS)?;
    let format = graph_format(&params, &headers)?;
    let nodes = params.bounded("nodes", 1, MAX_NODES, 50)? as usize;
    let node_type = params.choice_of("node_type", &EntityKind::ALL)?;
    let min_weight = params.bounded("min_weight", 1, i64::from(u32::MAX), 1)? as u32;
    let filter = article_filter(&pool, directory.as_ref(), &params).await?;
    let matched =
        answers::matched(&pool, text_index.as_ref(), &filter, answers::Need::Entities).await?;
    let counted = count::entity_counts(&matched);
    let top = count::top(&matched, &counted, nodes, |facts| {
        node_type.is_none_or(|kind| facts.kind == kind)
    });
    let axis = match format {
        GraphFormat::Gexf => Some(
            Axis::new(
                &pool,
                &params,
                (filter.from, filter.to),
                &[&matched],
                Some(Interval::Month),
            )
            .await?,
        ),
        _ => None,
    };
    let mut network = count::network(&matched, &top, axis.as_ref().map(|a| a.micros.as_slice()));
    network.edges.retain(|edge| edge.count >= min_weight);
    let ids: Vec<Uuid> = top.iter().map(|c| matched.entity(c.ordinal).id).collect();
    let labels = entity_labels(&pool, &ids).await?;
    // An entity merged away since the snapshot was built has no label: it is left out of
    // the graph with its edges.
    let nodes: Vec<Option<&EntityLabel>> = ids.iter().map(|id| labels.get(id)).collect();
    let response = match (format, axis) {
        (GraphFormat::Gexf, Some(axis)) => xml(GEXF, gexf(&network, &nodes, &axis.bounds)),
        (GraphFormat::Graphml, _) => xml(GRAPHML, graphml(&network, &nodes)),
        _ => axum::Json(graph_json(&network, &nodes)).into_response(),
    };
    Ok(mark_source(response, matched.from_memory()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GraphFormat {
    Json,
    Gexf,
    Graphml,
}

const GEXF: &str = "application/gexf+xml";
const GRAPHML: &str = "application/graphml+xml";

fn graph_format(params: &Params, headers: &HeaderMap) -> Result<GraphFormat, ApiError> {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    Ok(
        match params.choice("format", &["json", "gexf", "graphml"])? {
            Some("gexf") => GraphFormat::Gexf,
            Some("graphml") => GraphFormat::Graphml,
            Some(_) => GraphFormat::Json,
            None if accept.contains(GEXF) => GraphFormat::Gexf,
            None if accept.contains(GRAPHML) => GraphFormat::Graphml,
            None => GraphFormat::Json,
        },
    )
}

fn xml(content_type: &'static str, body: String) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn graph_json(network: &Network, labels: &[Option<&EntityLabel>]) -> serde_json::Value {
    let nodes: Vec<_> = network
        .nodes
        .iter()
        .zip(labels)
        .filter_map(|(node, label)| {
            let label = (*label)?;
            Some(json!({
                "id": label.id, "slug": label.slug, "label": label.name, "type": label.kind,
                "count": node.counted.count, "article_count": label.article_count,
            }))
        })
        .collect();
    let edges: Vec<_> = edges(network, labels)
        .map(|(edge, source, target)| {
            json!({
                "source": source.id, "target": target.id, "weight": edge.count,
                "pmi": round(edge.pmi),
            })
        })
        .collect();
    json!({ "articles": network.articles, "nodes": nodes, "edges": edges })
}

/// The edges whose two ends have labels.
fn edges<'a>(
    network: &'a Network,
    labels: &'a [Option<&'a EntityLabel>],
) -> impl Iterator<Item = (&'a count::Edge, &'a EntityLabel, &'a EntityLabel)> + 'a {
    network
        .edges
        .iter()
        .filter_map(|edge| Some((edge, labels[edge.source]?, labels[edge.target]?)))
}

/// `text` escaped for XML, without the control characters XML 1.0 does not allow (a name
/// can hold any text a curator typed).
fn xml_text(text: &str) -> String {
    let allowed: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    escape(allowed.as_str()).into_owned()
}

fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// GEXF 1.3, dynamic: every node and edge has the spells (first and last local day) of the
/// runs of consecutive buckets in which it appears.
fn gexf(network: &Network, labels: &[Option<&EntityLabel>], bounds: &[Bound]) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n",
        "  <meta><creator>newsgraph</creator><description>co-mention network</description></meta>\n",
        "  <graph mode=\"dynamic\" defaultedgetype=\"undirected\" timeformat=\"date\">\n",
        "    <attributes class=\"node\">\n",
        "      <attribute id=\"type\" title=\"type\" type=\"string\"/>\n",
        "      <attribute id=\"slug\" title=\"slug\" type=\"string\"/>\n",
        "      <attribute id=\"count\" title=\"count\" type=\"integer\"/>\n",
        "    </attributes>\n",
        "    <attributes class=\"edge\">\n",
        "      <attribute id=\"pmi\" title=\"pmi\" type=\"double\"/>\n",
        "    </attributes>\n",
        "    <nodes>\n",
    ));
    for (node, label) in network.nodes.iter().zip(labels) {
        let Some(label) = label else { continue };
        let _ = writeln!(
            out,
            "      <node id=\"{}\" label=\"{}\"><attvalues><attvalue for=\"type\" value=\"{}\"/><attvalue for=\"slug\" value=\"{}\"/><attvalue for=\"count\" value=\"{}\"/></attvalues>{}</node>",
            label.id,
            xml_text(&label.name),
            label.kind.as_str(),
            xml_text(&label.slug),
            node.counted.count,
            spells(&node.slices, bounds),
        );
    }
    out.push_str("    </nodes>\n    <edges>\n");
    for (n, (edge, source, target)) in edges(network, labels).enumerate() {
        let _ = writeln!(
            out,
            "      <edge id=\"{n}\" source=\"{}\" target=\"{}\" weight=\"{}\"><attvalues><attvalue for=\"pmi\" value=\"{}\"/></attvalues>{}</edge>",
            source.id,
            target.id,
            edge.count,
            round(edge.pmi),
            spells(&edge.slices, bounds),
        );
    }
    out.push_str("    </edges>\n  </graph>\n</gexf>\n");
    out
}

/// `<spells>` of the runs of consecutive buckets in `slices`.
fn spells(slices: &[usize], bounds: &[Bound]) -> String {
    if slices.is_empty() {
        return String::new();
    }
    let mut out = String::from("<spells>");
    let mut run_start = slices[0];
    for (i, slice) in slices.iter().enumerate() {
        let ends_run = slices.get(i + 1).is_none_or(|next| *next != slice + 1);
        if ends_run {
            if let (Some(start), Some(end)) = (bounds.get(run_start), bounds.get(slice + 1)) {
                let last = end.date.pred_opt().unwrap_or(end.date);
                let _ = write!(
                    out,
                    "<spell start=\"{}\" end=\"{}\"/>",
                    start.date,
                    last.max(start.date)
                );
            }
            if let Some(next) = slices.get(i + 1) {
                run_start = *next;
            }
        }
    }
    out.push_str("</spells>");
    out
}

/// GraphML, with the node's label, type, slug and count and the edge's weight and PMI as
/// data keys.
fn graphml(network: &Network, labels: &[Option<&EntityLabel>]) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n",
        "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n",
        "  <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n",
        "  <key id=\"slug\" for=\"node\" attr.name=\"slug\" attr.type=\"string\"/>\n",
        "  <key id=\"count\" for=\"node\" attr.name=\"count\" attr.type=\"int\"/>\n",
        "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"int\"/>\n",
        "  <key id=\"pmi\" for=\"edge\" attr.name=\"pmi\" attr.type=\"double\"/>\n",
        "  <graph id=\"co-mentions\" edgedefault=\"undirected\">\n",
    ));
    for (node, label) in network.nodes.iter().zip(labels) {
        let Some(label) = label else { continue };
        let _ = writeln!(
            out,
            "    <node id=\"{}\"><data key=\"label\">{}</data><data key=\"type\">{}</data><data key=\"slug\">{}</data><data key=\"count\">{}</data></node>",
            label.id,
            xml_text(&label.name),
            label.kind.as_str(),
            xml_text(&label.slug),
            node.counted.count,
        );
    }
    for (edge, source, target) in edges(network, labels) {
        let _ = writeln!(
            out,
            "    <edge source=\"{}\" target=\"{}\"><data key=\"weight\">{}</data><data key=\"pmi\">{}</data></edge>",
            source.id,
            target.id,
            edge.count,
            round(edge.pmi),
        );
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};

    use super::*;

    fn bound(date: &str) -> Bound {
        let date: NaiveDate = date.parse().expect("a date");
        Bound {
            start: DateTime::<Utc>::from_naive_utc_and_offset(
                date.and_hms_opt(0, 0, 0).expect("midnight"),
                Utc,
            ),
            date,
        }
    }

    #[test]
    fn consecutive_buckets_make_one_spell_and_a_gap_starts_another() {
        let bounds: Vec<Bound> = [
            "2024-01-01",
            "2024-02-01",
            "2024-03-01",
            "2024-04-01",
            "2024-05-01",
        ]
        .into_iter()
        .map(bound)
        .collect();

        let written = spells(&[0, 1, 3], &bounds);

        assert_eq!(
            written,
            "<spells><spell start=\"2024-01-01\" end=\"2024-02-29\"/><spell start=\"2024-04-01\" end=\"2024-04-30\"/></spells>"
        );
    }
}
