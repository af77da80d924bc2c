//! The values every layer passes to the next, typed once: entity kinds and mention fields
//! (the extraction engine's own types), and [`Named`], the fixed spellings that query
//! parameters, cursors and SQL share; ids, and [`IdOrSlug`], how the API and the command
//! line name an entity. A leaf: it uses no other module of the crate.

pub use newsgraph_extract::{EntityKind, Field, UnknownName};
use uuid::Uuid;

/// A value out of a fixed set, each with one spelling (`person`, `-published_at`, `body`),
/// so that a parameter is parsed by the type rather than matched as a string.
pub trait Named: Copy + PartialEq + 'static {
    /// Every value, in the order error messages list them.
    const ALL: &'static [Self];
    /// What a value is, for error messages ("article sort").
    const WHAT: &'static str;

    /// Its spelling in URLs, cursors and SQL.
    fn as_str(self) -> &'static str;

    /// The value spelled `name`.
    fn from_name(name: &str) -> Result<Self, UnknownName> {
        Self::ALL
            .iter()
            .copied()
            .find(|value| value.as_str() == name)
            .ok_or_else(|| UnknownName {
                what: Self::WHAT,
                name: name.to_owned(),
            })
    }
}

/// `FromStr` and `Display` of a [`Named`] type, by its spelling.
macro_rules! spelled {
    ($type:ty) => {
        impl ::std::str::FromStr for $type {
            type Err = $crate::domain::UnknownName;

            fn from_str(name: &str) -> Result<Self, Self::Err> {
                <Self as $crate::domain::Named>::from_name(name)
            }
        }

        impl ::std::fmt::Display for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::domain::Named::as_str(*self))
            }
        }
    };
}
pub(crate) use spelled;

impl Named for EntityKind {
    const ALL: &'static [Self] = &EntityKind::ALL;
    const WHAT: &'static str = "entity kind";

    fn as_str(self) -> &'static str {
        EntityKind::as_str(self)
    }
}

impl Named for Field {
    const ALL: &'static [Self] = &Field::ALL;
    const WHAT: &'static str = "article field";

    fn as_str(self) -> &'static str {
        Field::as_str(self)
    }
}

/// The spellings of `choices`, comma-separated, for an error message.
pub fn spellings<T: Named>(choices: &[T]) -> String {
    choices
        .iter()
        .map(|choice| choice.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Declares an id newtype over a UUID: the same JSON, text and SQL as the UUID, but an
/// article's id cannot be passed where an entity's is expected.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// The UUID, for binding where a query takes a plain `uuid`.
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text).map(Self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// An article's id (UUIDv7).
    ArticleId
);
uuid_id!(
    /// An entity's id (UUIDv7).
    EntityId
);

/// How a client names an entity: its id (UUID), its slug, or its Wikidata id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdOrSlug {
    /// An entity's id.
    Id(EntityId),
    /// A slug.
    Slug(String),
    /// A Wikidata id ("Q30"): the most named entity carrying it.
    Wikidata(String),
}

impl IdOrSlug {
    /// Reads a path segment or parameter value.
    pub fn parse(value: &str) -> Result<Self, String> {
        if let Ok(id) = value.parse::<EntityId>() {
            return Ok(Self::Id(id));
        }
        // Slugs are lowercase, so a capital Q and digits can only be a Wikidata id.
        if let Some(digits) = value.strip_prefix('Q')
            && (1..=12).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
        {
            return Ok(Self::Wikidata(value.to_owned()));
        }
        let valid = !value.is_empty()
            && value.len() <= 200
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self::Slug(value.to_owned()))
        } else {
            Err(
                "expected an entity id (UUID), slug (lowercase letters, digits and hyphens) or Wikidata id (Q and digits)"
                    .to_owned(),
            )
        }
    }
}

impl std::fmt::Display for IdOrSlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{}", id.uuid()),
            Self::Slug(text) | Self::Wikidata(text) => f.write_str(text),
        }
    }
}
