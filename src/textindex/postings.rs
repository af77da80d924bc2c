//! A posting list: the ascending article ordinals holding one lexeme, delta-encoded as
//! variable-length integers (one byte for gaps under 128), with a skip entry every
//! [`BLOCK`] postings so that a seek decodes at most one block.

/// Postings per skip entry.
const BLOCK: usize = 64;

/// One lexeme's postings.
#[derive(Debug, Default, Clone)]
pub struct Postings {
    bytes: Vec<u8>,
    /// The first ordinal of each block and where its encoding starts in `bytes`.
    skips: Vec<(u32, u32)>,
    len: u32,
    last: u32,
}

impl Postings {
    /// A list holding nothing.
    pub const EMPTY: Postings = Postings {
        bytes: Vec::new(),
        skips: Vec::new(),
        len: 0,
        last: 0,
    };

    /// Appends an ordinal; ordinals must come in ascending order (repeats are ignored).
    pub fn push(&mut self, ordinal: u32) {
        if self.len > 0 && ordinal <= self.last {
            return;
        }
        if (self.len as usize).is_multiple_of(BLOCK) {
            let offset = u32::try_from(self.bytes.len()).unwrap_or(u32::MAX);
            self.skips.push((ordinal, offset));
        } else {
            write_varint(&mut self.bytes, ordinal - self.last);
        }
        self.last = ordinal;
        self.len += 1;
    }

    /// How many ordinals it holds.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Frees spare capacity once built.
    pub fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.skips.shrink_to_fit();
    }

    /// Bytes used.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.skips.capacity() * std::mem::size_of::<(u32, u32)>()
    }

    /// The smallest ordinal at or after `from`.
    pub fn next_at_or_after(&self, from: u32) -> Option<u32> {
        if self.len == 0 || from > self.last {
            return None;
        }
        // The last block starting at or before `from` (or the first block).
        let block = self.skips.partition_point(|(first, _)| *first <= from);
        let block = block.saturating_sub(1);
        let (mut current, offset) = self.skips[block];
        if current >= from {
            return Some(current);
        }
        let end = self
            .skips
            .get(block + 1)
            .map_or(self.bytes.len(), |(_, offset)| *offset as usize);
        let mut at = offset as usize;
        while at < end {
            let (gap, used) = read_varint(&self.bytes[at..end]);
            at += used;
            current += gap;
            if current >= from {
                return Some(current);
            }
        }
        // Past this block: the next block's first ordinal.
        self.skips.get(block + 1).map(|(first, _)| *first)
    }

    /// The largest ordinal at or before `from`.
    pub fn prev_at_or_before(&self, from: u32) -> Option<u32> {
        if self.len == 0 {
            return None;
        }
        let block = self.skips.partition_point(|(first, _)| *first <= from);
        if block == 0 {
            return None;
        }
        let (mut current, offset) = self.skips[block - 1];
        let end = self
            .skips
            .get(block)
            .map_or(self.bytes.len(), |(_, offset)| *offset as usize);
        let mut at = offset as usize;
        let mut best = current;
        while at < end {
            let (gap, used) = read_varint(&self.bytes[at..end]);
            at += used;
            current += gap;
            if current > from {
                break;
            }
            best = current;
        }
        Some(best)
    }

    /// Whether `ordinal` is in the list.
    pub fn contains(&self, ordinal: u32) -> bool {
        self.next_at_or_after(ordinal) == Some(ordinal)
    }

    /// Every ordinal, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut next_block = 0;
        let mut at = 0;
        let mut end = 0;
        let mut current = 0;
        std::iter::from_fn(move || {
            if at < end {
                let (gap, used) = read_varint(&self.bytes[at..end]);
                at += used;
                current += gap;
                return Some(current);
            }
            let (first, offset) = *self.skips.get(next_block)?;
            next_block += 1;
            at = offset as usize;
            end = self
                .skips
                .get(next_block)
                .map_or(self.bytes.len(), |(_, offset)| *offset as usize);
            current = first;
            Some(first)
        })
    }
}

/// Appends `value` as a varint (7 bits a byte, low first).
pub(crate) fn write_varint(bytes: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        bytes.push((value as u8) | 0x80);
        value >>= 7;
    }
    bytes.push(value as u8);
}

/// A value and the bytes it took. Input comes from [`write_varint`]; a truncated one ends
/// where the slice does.
pub(crate) fn read_varint(bytes: &[u8]) -> (u32, usize) {
    let mut value = 0u32;
    let mut shift = 0;
    for (index, byte) in bytes.iter().enumerate() {
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return (value, index + 1);
        }
        shift += 7;
        if shift > 28 {
            return (value, index + 1);
        }
    }
    (value, bytes.len().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn build(ordinals: &[u32]) -> Postings {
        let mut postings = Postings::default();
        for ordinal in ordinals {
            postings.push(*ordinal);
        }
        postings
    }

    #[test]
    fn seeks_within_and_across_blocks() {
        let ordinals: Vec<u32> = (0..500).map(|i| i * 3 + 1).collect();
        let postings = build(&ordinals);
        assert_eq!(postings.len(), 500);
        assert_eq!(postings.next_at_or_after(0), Some(1));
        assert_eq!(postings.next_at_or_after(2), Some(4));
        assert_eq!(postings.next_at_or_after(193), Some(193));
        assert_eq!(postings.next_at_or_after(194), Some(196));
        assert_eq!(postings.next_at_or_after(1498), Some(1498));
        assert_eq!(postings.next_at_or_after(1499), None);
        assert_eq!(postings.prev_at_or_before(0), None);
        assert_eq!(postings.prev_at_or_before(195), Some(193));
        assert_eq!(postings.prev_at_or_before(10_000), Some(1498));
        assert!(postings.contains(4) && !postings.contains(5));
    }

    proptest! {
        #[test]
        fn seeks_agree_with_a_sorted_vec(mut ordinals in proptest::collection::vec(0u32..5_000_000, 0..400), probes in proptest::collection::vec(0u32..5_100_000, 1..50)) {
            ordinals.sort_unstable();
            ordinals.dedup();
            let postings = build(&ordinals);
            for probe in probes {
                let next = ordinals.iter().copied().find(|o| *o >= probe);
                let prev = ordinals.iter().rev().copied().find(|o| *o <= probe);
                prop_assert_eq!(postings.next_at_or_after(probe), next);
                prop_assert_eq!(postings.prev_at_or_before(probe), prev);
            }
            prop_assert_eq!(postings.iter().collect::<Vec<_>>(), ordinals);
        }
    }
}
