//! `fields=`: which fields of an article a list returns.

use super::error::ApiError;
use super::params::Params;

/// `fields=` (comma-separated, empty names ignored) checked against `allowed`, else `default`.
pub fn select_fields(
    params: &Params,
    allowed: &[&'static str],
    default: Vec<&'static str>,
) -> Result<Vec<&'static str>, ApiError> {
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
            .find(|field| **field == name)
            .ok_or_else(|| {
                ApiError::invalid(
                    "fields",
                    format!("unknown field {name:?}; fields are: {}", allowed.join(", ")),
                )
            })?;
        fields.push(*field);
    }
    if fields.is_empty() {
        return Err(ApiError::invalid("fields", "names no field"));
    }
    Ok(fields)
}
