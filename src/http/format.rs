//! Response formats: JSON pages with `next_cursor` and an RFC 8288 `Link` header, the same
//! pages as CSV for spreadsheets (`format=csv` or `Accept: text/csv`), and NDJSON for
//! streaming exports.

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::ApiError;
use super::params::{Params, encode_cursor};
use crate::db::listing::Position;

/// The formats a list can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `text/csv`.
    Csv,
    /// `application/x-ndjson`, whole result sets.
    Ndjson,
}

/// The format asked for: the `format` parameter, else the Accept header, else JSON. Only
/// the formats in `allowed` are accepted from the parameter.
pub fn negotiate(
    params: &Params,
    headers: &HeaderMap,
    allowed: &[&'static str],
) -> Result<Format, ApiError> {
    if let Some(format) = params.choice("format", allowed)? {
        return Ok(match format {
            "csv" => Format::Csv,
            "ndjson" => Format::Ndjson,
            _ => Format::Json,
        });
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if accept.contains("text/csv") && allowed.contains(&"csv") {
        Ok(Format::Csv)
    } else if accept.contains("application/x-ndjson") && allowed.contains(&"ndjson") {
        Ok(Format::Ndjson)
    } else {
        Ok(Format::Json)
    }
}

/// A page of a list, ready to be written as JSON or CSV.
#[derive(Debug)]
pub struct ListPage<T> {
    /// The items.
    pub data: Vec<T>,
    /// Where the next page starts.
    pub next: Option<Position>,
    /// The total, when asked for.
    pub count: Option<i64>,
}

impl<T: Serialize> ListPage<T> {
    /// Writes the page in `format`, with a `Link: rel="next"` header built from `uri`.
    pub fn respond(self, format: Format, uri: &Uri) -> Response {
        self.respond_with(format, uri, |item, out| serde_json::to_writer(out, item))
    }

    /// [`ListPage::respond`], with each item written as JSON by `write_item`.
    pub fn respond_with(
        self,
        format: Format,
        uri: &Uri,
        write_item: impl Fn(&T, &mut Vec<u8>) -> serde_json::Result<()>,
    ) -> Response {
        let next_cursor = self.next.as_ref().map(encode_cursor);
        let link = next_cursor.as_ref().map(|cursor| next_link(uri, cursor));
        let mut response = match format {
            Format::Csv => {
                let values: Vec<Value> = self
                    .data
                    .iter()
                    .map(|item| serde_json::to_value(item).unwrap_or(Value::Null))
                    .collect();
                csv_response(&values)
            }
            // Written straight from the items: going through a `Value` copied every body once
            // more and built a map per item.
            Format::Json | Format::Ndjson => {
                match json_page(&self.data, next_cursor.as_deref(), self.count, write_item) {
                    Ok(body) => {
                        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
                    }
                    Err(error) => ApiError::Internal(error.into()).into_response(),
                }
            }
        };
        if let Some(link) = link.and_then(|link| HeaderValue::from_str(&link).ok()) {
            response.headers_mut().insert(header::LINK, link);
        }
        if let Some(count) = self
            .count
            .and_then(|count| HeaderValue::from_str(&count.to_string()).ok())
        {
            response.headers_mut().insert("x-total-count", count);
        }
        response
    }
}

/// `{"data": [...], "next_cursor": ..., "count": ...}`, the count only when asked for.
fn json_page<T>(
    data: &[T],
    next_cursor: Option<&str>,
    count: Option<i64>,
    write_item: impl Fn(&T, &mut Vec<u8>) -> serde_json::Result<()>,
) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"{\"data\":[");
    for (index, item) in data.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_item(item, &mut out)?;
    }
    out.extend_from_slice(b"],\"next_cursor\":");
    serde_json::to_writer(&mut out, &next_cursor)?;
    if let Some(count) = count {
        out.extend_from_slice(b",\"count\":");
        serde_json::to_writer(&mut out, &count)?;
    }
    out.push(b'}');
    Ok(out)
}

/// `<uri with cursor replaced>; rel="next"`.
pub fn next_link(uri: &Uri, cursor: &str) -> String {
    let kept = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .filter(|(name, _)| name != "cursor")
        .map(|(name, value)| (name.into_owned(), value.into_owned()));
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(kept);
    query.append_pair("cursor", cursor);
    format!("<{}?{}>; rel=\"next\"", uri.path(), query.finish())
}

/// Items as CSV: one column per field of the first item (nested objects flattened with dots,
/// lists of plain values joined with `|`, other lists as JSON).
pub fn csv_response(items: &[Value]) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        csv_body(items),
    )
        .into_response()
}

fn csv_body(items: &[Value]) -> String {
    let mut body = String::new();
    if items.is_empty() {
        return body;
    }
    // Every field of every item, in order of appearance: an object that is null in one item
    // ("coordinates") and present in another gives its sub-fields, not a column of its own.
    let mut columns: Vec<String> = Vec::new();
    for item in items {
        for (key, _) in flatten(item) {
            if !columns.contains(&key) {
                columns.push(key);
            }
        }
    }
    let parents: Vec<String> = columns
        .iter()
        .filter_map(|column| column.split_once('.').map(|(parent, _)| parent.to_owned()))
        .collect();
    columns.retain(|column| !parents.contains(column));
    push_csv_row(&mut body, columns.iter().map(String::as_str));
    for item in items {
        let fields: Map<String, Value> = flatten(item).into_iter().collect();
        let cells: Vec<String> = columns
            .iter()
            .map(|column| fields.get(column).map(csv_cell).unwrap_or_default())
            .collect();
        push_csv_row(&mut body, cells.iter().map(String::as_str));
    }
    body
}

fn flatten(value: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Value::Object(map) = value {
        for (key, value) in map {
            match value {
                Value::Object(inner) => {
                    for (inner_key, inner_value) in inner {
                        out.push((format!("{key}.{inner_key}"), inner_value.clone()));
                    }
                }
                other => out.push((key.clone(), other.clone())),
            }
        }
    }
    out
}

fn csv_cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items)
            if items
                .iter()
                .all(|item| !item.is_object() && !item.is_array()) =>
        {
            items.iter().map(csv_cell).collect::<Vec<_>>().join("|")
        }
        other => other.to_string(),
    }
}

/// Appends one CSV record (RFC 4180: fields with commas, quotes or line breaks are quoted).
///
/// A text that a spreadsheet would run as a formula (it begins with `=`, `+`, `-`, `@`, a tab
/// or a carriage return, and is not a number) gets a leading `'`, which spreadsheets show as
/// text and do not display (OWASP's advice on CSV injection): article titles and entity
/// names come from anyone who can publish.
pub fn push_csv_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let defused;
        let cell =
            if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err() {
                defused = format!("'{cell}");
                defused.as_str()
            } else {
                cell
            };
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting_and_flattens_objects() {
        let items = vec![json!({"a": "x, \"y\"", "b": {"c": 1}, "d": ["p", "q"], "e": null})];

        let body = csv_body(&items);

        assert_eq!(body, "a,b.c,d,e\r\n\"x, \"\"y\"\"\",1,p|q,\r\n");
    }

    #[test]
    fn csv_columns_come_from_every_item_and_null_objects_give_way_to_their_fields() {
        let items = vec![
            json!({"name": "Belgrade", "coordinates": null}),
            json!({"name": "Kosovo", "coordinates": {"lat": 42.6, "lon": 20.9}}),
        ];

        let body = csv_body(&items);

        assert_eq!(
            body,
            "name,coordinates.lat,coordinates.lon\r\nBelgrade,,\r\nKosovo,42.6,20.9\r\n"
        );
        assert_eq!(csv_body(&[]), "");
    }

    #[test]
    fn csv_rows_follow_rfc_4180() {
        let mut out = String::new();

        push_csv_row(
            &mut out,
            ["plain", "a,b", "say \"hi\"", "two\nlines"].into_iter(),
        );

        assert_eq!(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_defused_and_numbers_are_not() {
        let mut out = String::new();

        push_csv_row(
            &mut out,
            [
                "=HYPERLINK(\"http://x\",\"y\")",
                "+1+1",
                "-2+3",
                "@SUM(A1)",
                "\tx",
                "-73.98",
                "+12",
                "a=b",
            ]
            .into_iter(),
        );

        assert_eq!(
            out,
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+1+1,'-2+3,'@SUM(A1),'\tx,-73.98,+12,a=b\r\n"
        );
    }

    #[test]
    fn the_next_link_replaces_the_cursor_and_keeps_the_rest() {
        let uri: Uri = "/v1/articles?q=oil&cursor=old&limit=5"
            .parse()
            .expect("a URI");

        assert_eq!(
            next_link(&uri, "new"),
            "</v1/articles?q=oil&limit=5&cursor=new>; rel=\"next\""
        );
    }
}
