//! [`EntityKind`] and [`Field`] read from and written as their lowercase names, the spelling
//! JSON, SQL and URLs share.

use std::fmt;
use std::str::FromStr;

use crate::{EntityKind, Field};

/// A name that is none of a type's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// What was named ("entity kind", "field").
    pub what: &'static str,
    /// The name given.
    pub name: String,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not an {}", self.name, self.what)
    }
}

impl std::error::Error for UnknownName {}

impl FromStr for EntityKind {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| UnknownName {
                what: "entity kind",
                name: name.to_owned(),
            })
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Field {
    type Err = UnknownName;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|field| field.as_str() == name)
            .ok_or_else(|| UnknownName {
                what: "article field",
                name: name.to_owned(),
            })
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_field_reads_back_from_its_name() {
        for kind in EntityKind::ALL {
            assert_eq!(kind.to_string().parse::<EntityKind>(), Ok(kind));
        }
        for field in Field::ALL {
            assert_eq!(field.to_string().parse::<Field>(), Ok(field));
        }
        assert!("Person".parse::<EntityKind>().is_err());
        assert!("".parse::<Field>().is_err());
    }
}
