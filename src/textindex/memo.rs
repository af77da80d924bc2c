//! Values computed from one snapshot and kept with it: a snapshot never changes, so what was
//! counted from it once (a popular entity's day-by-day counts, a common word's facets) holds
//! until the next build replaces it, and is dropped with it. The answers' per-key rollups
//! are kept here; this module only stores them, within a byte budget.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Most bytes of values kept per snapshot; past it, values are computed and not kept.
pub const MEMO_BYTES: usize = 64 * 1024 * 1024;

type Value = Arc<dyn Any + Send + Sync>;

/// The kept values of one snapshot, by key.
#[derive(Default)]
pub struct Memo {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    values: HashMap<String, Value>,
    bytes: usize,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (values, bytes) = self.size();
        f.debug_struct("Memo")
            .field("values", &values)
            .field("bytes", &bytes)
            .finish()
    }
}

impl Memo {
    /// The value kept under `key`, else `make`'s (a value and its approximate heap bytes),
    /// kept if the budget allows. `make` runs without the lock held, so two requests for
    /// a new key may both compute it; the first kept wins.
    pub fn get_or_make<T: Any + Send + Sync>(
        &self,
        key: &str,
        make: impl FnOnce() -> (T, usize),
    ) -> Arc<T> {
        if let Some(found) = self.get::<T>(key) {
            return found;
        }
        let (value, bytes) = make();
        let value = Arc::new(value);
        let mut kept = self.kept.lock().expect("the memo lock");
        if let Some(found) = kept
            .values
            .get(key)
            .and_then(|v| Arc::clone(v).downcast().ok())
        {
            return found;
        }
        let bytes = bytes + key.len() + std::mem::size_of::<T>() + 64;
        if kept.bytes + bytes <= MEMO_BYTES {
            kept.bytes += bytes;
            kept.values
                .insert(key.to_owned(), Arc::clone(&value) as Value);
        }
        value
    }

    /// The value kept under `key`, if it has type `T`.
    fn get<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        let kept = self.kept.lock().expect("the memo lock");
        kept.values
            .get(key)
            .and_then(|value| Arc::clone(value).downcast().ok())
    }

    /// How many values are kept, and their approximate bytes.
    pub fn size(&self) -> (usize, usize) {
        let kept = self.kept.lock().expect("the memo lock");
        (kept.values.len(), kept.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_made_once_and_then_reused() {
        let memo = Memo::default();
        let mut made = 0;

        let first = memo.get_or_make("a", || {
            made += 1;
            (vec![1_u32, 2], 8)
        });
        let second = memo.get_or_make("a", || {
            made += 1;
            (vec![3_u32], 4)
        });

        assert_eq!(made, 1);
        assert_eq!(*first, *second);
        assert_eq!(memo.size().0, 1);
    }

    #[test]
    fn values_past_the_budget_are_returned_but_not_kept() {
        let memo = Memo::default();

        let big = memo.get_or_make("big", || (0_u8, MEMO_BYTES));
        let small = memo.get_or_make("small", || (1_u8, 1));

        assert_eq!((*big, *small), (0, 1));
        assert_eq!(memo.size().0, 1, "only the value within the budget is kept");
    }
}
