//! newsgraph's entity extraction engine.
//!
//! Finds persons, places and organizations in one article (title and body), resolves the
//! mentions inside the article to entities, and gives each entity a canonical name and a
//! normalized match key. It knows nothing of PostgreSQL or HTTP.
//!
//! This skeleton fixes the public API the rest of newsgraph builds on; the engine behind it is
//! filled in by the extraction work (issue 3).

use serde::{Deserialize, Serialize};

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
#[derive(Debug)]
pub struct Extractor {
    version: String,
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

impl Extractor {
    /// Loads the model shipped with newsgraph.
    pub fn load_default() -> Result<Self, ModelError> {
        Ok(Self {
            version: "skeleton-0".to_owned(),
        })
    }

    /// The extractor version stored with every article it processed; it changes whenever the
    /// model or the resolution rules change.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Extracts the entities of one article.
    pub fn extract(&self, _title: Option<&str>, _body: &str) -> Extraction {
        Extraction::default()
    }
}

/// The normalized match key of a name of the given kind: folds case, diacritics and Serbian
/// Cyrillic to Latin, so that "Vučić", "Vucic" and "Вучић" share one key.
pub fn match_key(kind: EntityKind, name: &str) -> String {
    let folded: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let words: Vec<&str> = folded.split_whitespace().collect();
    format!("{}:{}", kind.as_str(), words.join(" "))
}
