//! newsgraph's entity extraction engine.
//!
//! Finds persons, places and organizations in one article (title and body), resolves the
//! mentions inside the article to entities, and gives each entity a canonical name and a
//! normalized match key. It knows nothing of PostgreSQL or HTTP.
//!
//! # Layout
//! - [`clean`]: HTML remnants and typographic characters folded, original offsets kept.
//! - [`tokenize`]: CoNLL-style tokens and sentences, glued scraped text split apart.
//! - [`features`]: hashed features of every token (written once: training dumps use it too).
//! - [`lexicon`]: word clusters and gazetteers the features look words up in.
//! - [`crf`] and [`tagger`]: the linear-chain CRF, Viterbi and forward-backward.
//! - `resolve`: mentions to entities: places identified, teams told from their countries,
//!   short forms, acronyms and nicknames joined to full names, canonical names and keys.
//! - [`kb`]: the resolution knowledge base (places, given names, legal forms), embedded.
//! - `key`: match keys. [`jsonl`]: the `newsgraph extract` JSON Lines driver.
//!
//! The model (CRF weights, clusters, gazetteers) is embedded in the binary; training/ in the
//! repository rebuilds it.

use serde::{Deserialize, Serialize};

#[doc(hidden)]
pub mod clean;
#[doc(hidden)]
pub mod crf;
#[doc(hidden)]
pub mod features;
pub mod jsonl;
pub mod kb;
mod key;
#[doc(hidden)]
pub mod lexicon;
mod resolve;
mod spelling;
#[cfg(feature = "sqlx")]
mod sql;
#[doc(hidden)]
pub mod tagger;
#[doc(hidden)]
pub mod text;
#[doc(hidden)]
pub mod tokenize;

pub use jsonl::{RunStats, run_jsonl};
pub use spelling::UnknownName;

/// The three entity types newsgraph extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// A person.
    Person,
    /// A place: country, city, region, geographic feature.
    Place,
    /// An organization: company, party, ministry, agency, team, media outlet.
    Organization,
}

impl EntityKind {
    /// Every kind, in the order the API lists them.
    pub const ALL: [Self; 3] = [Self::Person, Self::Place, Self::Organization];

    /// The lowercase name used in JSON, SQL and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Place => "place",
            Self::Organization => "organization",
        }
    }
}

/// Which part of the article a mention was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    /// The headline.
    Title,
    /// The article body.
    Body,
}

impl Field {
    /// Both fields.
    pub const ALL: [Self; 2] = [Self::Title, Self::Body];

    /// The lowercase name used in JSON and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Body => "body",
        }
    }
}

/// One entity of one article, after in-article resolution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    /// Person, place or organization.
    pub kind: EntityKind,
    /// The canonical name: the fullest form seen in the article ("Milos Vucevic",
    /// "Serbian Progressive Party").
    pub canonical: String,
    /// The normalized match key used to merge this entity across articles.
    pub key: String,
    /// Every distinct surface form seen in the article, the canonical name included.
    pub aliases: Vec<String>,
    /// What the knowledge base knows of it (places it has identified).
    pub known: Option<Known>,
}

/// What the knowledge base knows of an entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Known {
    /// Its Wikidata id ("Q30"), when a source gives one.
    pub wikidata_id: Option<String>,
    /// Its GeoNames id.
    pub geonames_id: Option<i64>,
    /// A point for a map pin: latitude and longitude, degrees.
    pub coordinates: Option<(f64, f64)>,
}

/// One mention of an entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mention {
    /// Index into [`Extraction::entities`].
    pub entity: usize,
    /// Title or body.
    pub field: Field,
    /// Start offset in Unicode code points into the field's text.
    pub start: usize,
    /// End offset (exclusive) in Unicode code points.
    pub end: usize,
    /// The surface text, exactly the field's characters `start..end`.
    pub text: String,
    /// The type of the name as written. It is its entity's kind, except where a name stands
    /// for something of another kind: "England" in "England beat Pakistan" is a place's name
    /// (its type, as CoNLL-2003 and OntoNotes tag it) standing for the England national
    /// cricket team (its entity, an organization, as entity linking resolves it).
    pub kind: EntityKind,
    /// The model's confidence in this mention, in 0..=1.
    pub confidence: f32,
}

/// The result of extracting one article.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extraction {
    /// The article's entities.
    pub entities: Vec<Entity>,
    /// The mentions, in order of field (title first) and start offset.
    pub mentions: Vec<Mention>,
}

/// A loaded extraction model. Cheap to share between threads (`&Extractor` is `Sync`).
pub struct Extractor {
    version: String,
    crf: crf::Crf,
    lexicon: lexicon::Lexicon,
    kb: kb::Kb,
}

impl std::fmt::Debug for Extractor {
    // The weights and lexicon are megabytes of numbers: show what identifies the model.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (words, phrases) = self.lexicon.sizes();
        f.debug_struct("Extractor")
            .field("version", &self.version)
            .field("labels", &self.crf.labels)
            .field("cluster_words", &words)
            .field("gazetteer_phrases", &phrases)
            .field("kb", &self.kb)
            .finish_non_exhaustive()
    }
}

/// Why a model could not be loaded.
#[derive(Debug)]
pub struct ModelError(pub String);

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot load the extraction model: {}", self.0)
    }
}

impl std::error::Error for ModelError {}

/// The version of the rules around the model (tokenizer, features, resolution); bumped
/// whenever they change what the extractor outputs.
const RULES_VERSION: u32 = 75;

/// The shipped model, embedded so that the binary is self-contained.
const DEFAULT_MODEL: &[u8] = include_bytes!("../model/ner.crf");
const DEFAULT_CLUSTERS: &str = include_str!("../model/clusters.tsv");
const DEFAULT_GAZETTEER: &str = include_str!("../model/gazetteer.tsv");

/// The files of a model directory (see [`Extractor::from_path`]).
pub const MODEL_FILES: [&str; 3] = ["ner.crf", "clusters.tsv", "gazetteer.tsv"];

impl Extractor {
    /// Loads the model shipped with newsgraph (embedded in the binary).
    pub fn load_default() -> Result<Self, ModelError> {
        Self::from_parts(DEFAULT_MODEL, DEFAULT_CLUSTERS, DEFAULT_GAZETTEER)
    }

    /// Loads a model from a directory holding the files named in [`MODEL_FILES`].
    pub fn from_path(dir: &std::path::Path) -> Result<Self, ModelError> {
        let read = |name: &str| {
            std::fs::read(dir.join(name))
                .map_err(|e| ModelError(format!("{}: {e}", dir.join(name).display())))
        };
        let text = |name: &str| {
            String::from_utf8(read(name)?).map_err(|e| ModelError(format!("{name}: {e}")))
        };
        Self::from_parts(
            &read(MODEL_FILES[0])?,
            &text(MODEL_FILES[1])?,
            &text(MODEL_FILES[2])?,
        )
    }

    /// Loads a model from the contents of its three files, with the embedded knowledge base.
    pub fn from_parts(model: &[u8], clusters: &str, gazetteer: &str) -> Result<Self, ModelError> {
        let crf = crf::Crf::parse(model).map_err(ModelError)?;
        let lexicon = lexicon::Lexicon::parse(clusters, gazetteer).map_err(ModelError)?;
        let kb = kb::Kb::embedded().map_err(ModelError)?;
        let digest = [model, clusters.as_bytes(), gazetteer.as_bytes()]
            .into_iter()
            .chain(kb::embedded_files().map(str::as_bytes))
            .fold(0u64, |h, bytes| text::combine(h, fnv(bytes)));
        let version = format!("crf-{RULES_VERSION}+{:08x}", digest >> 32);
        Ok(Self {
            version,
            crf,
            lexicon,
            kb,
        })
    }

    /// The resolution knowledge base.
    pub fn kb(&self) -> &kb::Kb {
        &self.kb
    }

    /// The match key of a name of a kind, as extraction gives it: known places by their
    /// identity, companies without their legal form, persons' nicknames as formal names.
    pub fn key(&self, kind: EntityKind, name: &str) -> String {
        match kind {
            EntityKind::Place => match self.kb.place(name) {
                Some((index, _)) => format!("place:{}", self.kb.place_key(index)),
                None => resolve::entity_key(&self.kb, kind, name),
            },
            _ => resolve::entity_key(&self.kb, kind, name),
        }
    }

    /// The match key and name an entity stored under `key` as `name` has under today's rules,
    /// when its key is out of date ("US", keyed "place:us" by an older engine, is now
    /// "place:united states", the United States); `None` when the key is current. A place
    /// keyed by one of the places bearing its name ("Georgia" the state) keeps its key.
    pub fn rekey(&self, kind: EntityKind, name: &str, key: &str) -> Option<(String, String)> {
        if kind == EntityKind::Place {
            let place_key = |index: u32| format!("place:{}", self.kb.place_key(index));
            if self
                .kb
                .places_named(name)
                .into_iter()
                .any(|index| place_key(index) == key)
            {
                return None;
            }
            if let Some((index, place)) = self.kb.place(name) {
                let current = place_key(index);
                return (current != key).then(|| (current, place.name.clone()));
            }
        }
        let current = resolve::entity_key(&self.kb, kind, name);
        (current != key).then(|| (current, name.to_owned()))
    }

    /// The extractor version stored with every article it processed; it changes whenever the
    /// model or the resolution rules change.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Extracts the entities of one article.
    pub fn extract(&self, title: Option<&str>, body: &str) -> Extraction {
        let (parts, fields): (Vec<&str>, Vec<Field>) = match title {
            Some(t) => (vec![t, body], vec![Field::Title, Field::Body]),
            None => (vec![body], vec![Field::Body]),
        };
        let analysis = features::analyze(&self.lexicon, &parts);
        let mut spans = tagger::tag(&self.crf, &analysis);
        spans.retain(|span| plausible_name(&analysis, span));
        resolve::resolve(&analysis, &spans, &parts, &fields, &self.kb)
    }

    /// Tokenizes and tags a document without resolution: tokens and raw labelled spans (MISC
    /// included). For training and evaluation tools.
    #[doc(hidden)]
    pub fn tag_raw(&self, parts: &[&str]) -> (features::Analysis, Vec<tagger::Span>) {
        let analysis = features::analyze(&self.lexicon, parts);
        let spans = tagger::tag(&self.crf, &analysis);
        (analysis, spans)
    }

    /// The lexicon, for the feature dumper.
    #[doc(hidden)]
    pub fn lexicon(&self) -> &lexicon::Lexicon {
        &self.lexicon
    }
}

/// The longest name an entity may have, in characters. The longest names of people, places
/// and organizations in news run to about 80 ("Organisation for the Prohibition of Chemical
/// Weapons", 51); a longer span is a tagging accident on odd text (a run of capitalized
/// words, a token with no spaces), and names are keys of database indexes whose entries
/// cannot exceed about 2,700 bytes.
pub const MAX_NAME_CHARS: u32 = 200;

/// Whether `span` is short enough to name something.
fn plausible_name(analysis: &features::Analysis, span: &tagger::Span) -> bool {
    match (
        analysis.tokens.get(span.start),
        analysis.tokens.get(span.end.wrapping_sub(1)),
    ) {
        (Some(first), Some(last)) if span.end > span.start => {
            // Title and body tokens count offsets separately; a span never crosses them.
            last.end.saturating_sub(first.start) <= MAX_NAME_CHARS
        }
        _ => false,
    }
}

/// A 64-bit FNV-1a hash of bytes.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(text::FNV_OFFSET, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(text::FNV_PRIME)
    })
}

pub use key::{fold_name, match_key};
