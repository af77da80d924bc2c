//! Request ids: every request gets an `x-request-id` (a client's own is kept), the response
//! carries it back, and the handler's task can read it so that problem documents include it.

use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderName, HeaderValue};

/// The header that carries the id both ways.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    pub(super) static REQUEST_ID: String;
}

/// The request id of the request being handled by this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

thread_local! {
    /// A splitmix64 state per thread, seeded once from the OS (through std's `RandomState`).
    static STATE: Cell<u64> = Cell::new({
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(0);
        hasher.finish()
    });
}

fn next_random() -> u64 {
    STATE.with(|state| {
        let next = state.get().wrapping_add(0x9e37_79b9_7f4a_7c15);
        state.set(next);
        let mut z = next;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    })
}

/// A new id: a time-ordered UUIDv7, so that ids sort like the logs. Its 74 random bits come
/// from a per-thread generator, not the OS: ids need to be unique, not unguessable, and a
/// `getrandom` call per request cost 2.7% of the CPU of serving `/healthz` (perf);
/// `Uuid::now_v7()` took 3.9-5.6x as long as this (`cargo bench --bench hand_written`,
/// bench/results/hand_written-20261130-0605.md).
pub fn generate() -> HeaderValue {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64);
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&next_random().to_le_bytes());
    random[8..].copy_from_slice(&next_random().to_le_bytes()[..2]);
    let id = uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid();
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    HeaderValue::from_str(id.hyphenated().encode_lower(&mut text))
        .expect("a hyphenated UUID is a valid header value")
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn generated_ids_are_v7_uuids_distinct_and_time_ordered() {
        let ids: Vec<uuid::Uuid> = (0..10_000)
            .map(|_| generate().to_str().unwrap().parse().unwrap())
            .collect();
        assert!(ids.iter().all(|id| id.get_version_num() == 7));
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
        let millis = |id: &uuid::Uuid| id.get_timestamp().unwrap().to_unix();
        assert!(
            ids.windows(2)
                .all(|pair| millis(&pair[0]) <= millis(&pair[1]))
        );
    }
}
