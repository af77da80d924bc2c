//! The linear-chain CRF: loading the trained weights, Viterbi decoding and forward-backward
//! span confidences. The weights come from CRFsuite (see training/); features are the hashes
//! computed by [`crate::features`].

use crate::lexicon::HashMap64;

const MAGIC: &[u8; 8] = b"NGCRF\x00\x00\x01";

/// A trained linear-chain CRF.
#[derive(Debug)]
pub struct Crf {
    /// Label names, e.g. "O", "B-PER", "I-PER".
    pub labels: Vec<String>,
    /// Each label's prefix (B, I, L, U or O) and type ("PER").
    pub parsed: Vec<(char, String)>,
    /// For each label, the index of the inside label of its type, if there is one.
    pub inside: Vec<Option<u8>>,
    /// `trans[from * n + to]`.
    trans: Vec<f32>,
    /// `exp(trans)`, for forward-backward.
    exp_trans: Vec<f64>,
    /// Feature hash → (offset, count) into `weights`.
    index: HashMap64<(u32, u8)>,
    /// (label, weight) pairs.
    weights: Vec<(u8, f32)>,
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let end = end.ok_or("the model file is truncated")?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
}

impl Crf {
    /// Parses a model file: magic, labels, transition matrix, sparse state weights.
    pub fn parse(buf: &[u8]) -> Result<Crf, String> {
        let mut r = Reader { buf, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err("not a newsgraph CRF model (bad magic)".into());
        }
        let n = r.u32()? as usize;
        if n == 0 || n > 64 {
            return Err(format!("implausible label count {n}"));
        }
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let len = r.u8()? as usize;
            let name = std::str::from_utf8(r.take(len)?).map_err(|e| e.to_string())?;
            labels.push(name.to_owned());
        }
        let trans = (0..n * n).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
        let exp_trans = trans.iter().map(|&w| f64::from(w).exp()).collect();
        let attrs = r.u32()? as usize;
        let mut index = HashMap64::default();
        index.reserve(attrs);
        let mut weights = Vec::with_capacity(attrs * 2);
        for _ in 0..attrs {
            let h = r.u64()?;
            let count = r.u8()?;
            let offset = u32::try_from(weights.len()).map_err(|e| e.to_string())?;
            for _ in 0..count {
                let label = r.u8()?;
                if label as usize >= n {
                    return Err(format!("label {label} out of range"));
                }
                weights.push((label, r.f32()?));
            }
            index.insert(h, (offset, count));
        }
        if r.pos != buf.len() {
            return Err("trailing bytes after the model".into());
        }
        let parsed: Vec<(char, String)> = labels
            .iter()
            .map(|l| match l.split_once('-') {
                Some((p, t)) => (p.chars().next().unwrap_or('O'), t.to_owned()),
                None => ('O', String::new()),
            })
            .collect();
        let inside = parsed
            .iter()
            .map(|(_, t)| {
                let name = format!("I-{t}");
                labels
                    .iter()
                    .position(|l| *l == name)
                    .and_then(|p| u8::try_from(p).ok())
            })
            .collect();
        Ok(Crf {
            labels,
            parsed,
            inside,
            trans,
            exp_trans,
            index,
            weights,
        })
    }

    /// The number of labels.
    pub fn n_labels(&self) -> usize {
        self.labels.len()
    }

    /// Adds the state scores of one token's features into `out` (length `n_labels`).
    pub fn score_token(&self, feats: &[u64], out: &mut [f32]) {
        out.fill(0.0);
        for h in feats {
            if let Some(&(off, count)) = self.index.get(h) {
                let off = off as usize;
                for &(label, w) in &self.weights[off..off + count as usize] {
                    out[label as usize] += w;
                }
            }
        }
    }

    /// The best label sequence for state scores `scores[t * n + label]` of `len` tokens.
    pub fn viterbi(&self, scores: &[f32], len: usize, path: &mut Vec<u8>) {
        let n = self.n_labels();
        path.clear();
        if len == 0 {
            return;
        }
        let mut delta: Vec<f32> = scores[..n].to_vec();
        let mut next = vec![0f32; n];
        let mut back = vec![0u8; len * n];
        for t in 1..len {
            for j in 0..n {
                let (mut best, mut arg) = (f32::NEG_INFINITY, 0);
                for (i, &d) in delta.iter().enumerate() {
                    let s = d + self.trans[i * n + j];
                    if s > best {
                        (best, arg) = (s, i);
                    }
                }
                next[j] = best + scores[t * n + j];
                back[t * n + j] = u8::try_from(arg).expect("at most 64 labels");
            }
            std::mem::swap(&mut delta, &mut next);
        }
        let mut last = (0..n)
            .max_by(|&a, &b| delta[a].total_cmp(&delta[b]))
            .expect("at least one label");
        path.resize(len, 0);
        for t in (0..len).rev() {
            path[t] = u8::try_from(last).expect("at most 64 labels");
            last = back[t * n + last] as usize;
        }
    }
}

/// Scaled forward-backward quantities of one sentence, for span marginals.
pub struct Lattice {
    n: usize,
    len: usize,
    /// exp(state score - max) per token and label.
    pot: Vec<f64>,
    alpha: Vec<f64>,
    beta: Vec<f64>,
    scale: Vec<f64>,
}

impl Lattice {
    /// Runs forward-backward over `len` tokens of state scores.
    pub fn new(crf: &Crf, scores: &[f32], len: usize) -> Lattice {
        let n = crf.n_labels();
        let mut pot = vec![0f64; len * n];
        for t in 0..len {
            let row = &scores[t * n..(t + 1) * n];
            let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            for j in 0..n {
                pot[t * n + j] = f64::from(row[j] - max).exp();
            }
        }
        let mut alpha = vec![0f64; len * n];
        let mut beta = vec![0f64; len * n];
        let mut scale = vec![1f64; len];
        for t in 0..len {
            let mut sum = 0.0;
            for j in 0..n {
                let a = if t == 0 {
                    1.0
                } else {
                    (0..n)
                        .map(|i| alpha[(t - 1) * n + i] * crf.exp_trans[i * n + j])
                        .sum()
                };
                let v = a * pot[t * n + j];
                alpha[t * n + j] = v;
                sum += v;
            }
            let sum = if sum > 0.0 && sum.is_finite() {
                sum
            } else {
                1.0
            };
            scale[t] = sum;
            alpha[t * n..(t + 1) * n].iter_mut().for_each(|v| *v /= sum);
        }
        if len > 0 {
            beta[(len - 1) * n..].fill(1.0);
        }
        for t in (0..len.saturating_sub(1)).rev() {
            for i in 0..n {
                let b: f64 = (0..n)
                    .map(|j| {
                        crf.exp_trans[i * n + j] * pot[(t + 1) * n + j] * beta[(t + 1) * n + j]
                    })
                    .sum();
                beta[t * n + i] = b / scale[t + 1];
            }
        }
        Lattice {
            n,
            len,
            pot,
            alpha,
            beta,
            scale,
        }
    }

    /// The probability that tokens `s..e` carry exactly `labels` and token `e` (if any) does
    /// not carry `not_next`.
    pub fn span_prob(&self, crf: &Crf, s: usize, labels: &[u8], not_next: u8) -> f64 {
        let n = self.n;
        let e = s + labels.len();
        let mut p = self.alpha[s * n + labels[0] as usize];
        for (k, w) in labels.windows(2).enumerate() {
            let t = s + k + 1;
            let (i, j) = (w[0] as usize, w[1] as usize);
            p *= crf.exp_trans[i * n + j] * self.pot[t * n + j] / self.scale[t];
        }
        let last = *labels.last().expect("non-empty span") as usize;
        let tail = if e < self.len {
            (0..n)
                .filter(|&j| j != not_next as usize)
                .map(|j| crf.exp_trans[last * n + j] * self.pot[e * n + j] * self.beta[e * n + j])
                .sum::<f64>()
                / self.scale[e]
        } else {
            1.0
        };
        (p * tail).clamp(0.0, 1.0)
    }
}
