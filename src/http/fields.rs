//! The fields of an article a response can carry, and `fields=`, which picks among them.
//! The list of fields and their names is written once, here.

use super::error::ApiError;
use super::params::Params;
use crate::domain::{Named, spelled, spellings};

/// Declares [`ArticleField`] from one list of variants and their names.
macro_rules! article_fields {
    ($($variant:ident => $name:literal,)*) => {
        /// A field of an article response, as `fields=` names it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ArticleField {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl ArticleField {
            /// Every field, in the order responses write them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];
        }

        impl Named for ArticleField {
            const ALL: &'static [Self] = ArticleField::ALL;
            const WHAT: &'static str = "article field";

            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }
    };
}

article_fields! {
    Id => "id",
    Url => "url",
    Title => "title",
    Body => "body",
    PublishedAt => "published_at",
    Source => "source",
    Language => "language",
    ExtractorVersion => "extractor_version",
    CreatedAt => "created_at",
    UpdatedAt => "updated_at",
    Score => "score",
    Headline => "headline",
}

spelled!(ArticleField);

/// `fields=` (comma-separated, empty names ignored) checked against `allowed`, else `default`.
/// The order is the client's (it is the order of CSV columns).
pub fn select_fields(
    params: &Params,
    allowed: &[ArticleField],
    default: Vec<ArticleField>,
) -> Result<Vec<ArticleField>, ApiError> {
    let Some(list) = params.one("fields")? else {
        return Ok(default);
    };
    let mut fields = Vec::new();
    for name in list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let field = allowed
            .iter()
            .copied()
            .find(|field| field.as_str() == name)
            .ok_or_else(|| {
                ApiError::invalid(
                    "fields",
                    format!("unknown field {name:?}; fields are: {}", spellings(allowed)),
                )
            })?;
        fields.push(field);
    }
    if fields.is_empty() {
        return Err(ApiError::invalid("fields", "names no field"));
    }
    Ok(fields)
}

/// `ArticleField::ALL` without the fields `excluded`.
pub fn all_but(excluded: &[ArticleField]) -> Vec<ArticleField> {
    ArticleField::ALL
        .iter()
        .copied()
        .filter(|field| !excluded.contains(field))
        .collect()
}
