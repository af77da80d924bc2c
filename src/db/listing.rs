//! Keyset pagination shared by the list queries: the sort key of the last row of a page,
//! and how to continue after it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The sort key of one row, as a cursor carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortKey {
    /// A date (NULL dates sort as the oldest).
    Date(Option<DateTime<Utc>>),
    /// A count or rank.
    Number(f64),
    /// A name.
    Text(String),
}

/// Where the next page starts: after the row with this key and id, in this sort order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// The sort the cursor was made for; another sort refuses it.
    #[serde(rename = "s")]
    pub sort: String,
    /// The last row's sort key.
    #[serde(rename = "k")]
    pub key: SortKey,
    /// The last row's id, the tie-breaker.
    #[serde(rename = "i")]
    pub id: Uuid,
}

/// One page of rows and where the next begins.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows.
    pub rows: Vec<T>,
    /// The position after the last row, when more rows follow.
    pub next: Option<Position>,
}

impl<T> Page<T> {
    /// Cuts the `limit + 1` rows a query fetched down to `limit`, and makes the next
    /// position from the last kept row when there was one more.
    pub fn from_overfetch(
        rows: Vec<T>,
        limit: i64,
        sort: &str,
        position: impl Fn(&T) -> (SortKey, Uuid),
    ) -> Self {
        Self::from_rows(rows, limit, false, sort, position)
    }

    /// As [`Page::from_overfetch`]; `cut_short` says the rows stop before the query's end
    /// for another reason (a size budget), so that more rows follow whatever their number.
    pub fn from_rows(
        mut rows: Vec<T>,
        limit: i64,
        cut_short: bool,
        sort: &str,
        position: impl Fn(&T) -> (SortKey, Uuid),
    ) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit || (cut_short && !rows.is_empty());
        rows.truncate(limit);
        let next = if more {
            rows.last().map(|row| {
                let (key, id) = position(row);
                Position {
                    sort: sort.to_owned(),
                    key,
                    id,
                }
            })
        } else {
            None
        };
        Self { rows, next }
    }
}
