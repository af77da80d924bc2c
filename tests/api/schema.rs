//! A small JSON Schema checker for the subset openapi.yaml uses ($ref, type with null,
//! properties, required, additionalProperties, items, enum, const, oneOf/anyOf/allOf,
//! minimum/maximum, uuid and date-time formats), so that tests can hold every response
//! against the contract without a heavy dependency.

use serde_json::Value;

/// The problems found in `value` against `schema` (empty when it conforms). `root` is the
/// whole OpenAPI document, for `$ref`s.
pub fn check(root: &Value, schema: &Value, value: &Value, path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    check_into(root, schema, value, path, &mut problems);
    problems
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(root, root.pointer(pointer).unwrap_or(&Value::Null))
        }
        None => schema,
    }
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn check_into(root: &Value, schema: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
    let schema = resolve(root, schema);
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !allowed.iter().any(|t| type_matches(t, value)) {
            problems.push(format!("{path}: expected {allowed:?}, found {value}"));
            return;
        }
    }
    if value.is_null() {
        return;
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        problems.push(format!("{path}: {value} not in {options:?}"));
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        problems.push(format!("{path}: {value} is not {constant}"));
    }
    check_format(schema, value, path, problems);
    check_bounds(schema, value, path, problems);
    for all in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        check_into(root, all, value, path, problems);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let fits = options
                .iter()
                .any(|option| check(root, option, value, path).is_empty());
            if !fits {
                problems.push(format!("{path}: matches none of {key}"));
            }
        }
    }
    if let (Some(object), true) = (
        value.as_object(),
        schema.get("properties").is_some() || schema.get("required").is_some(),
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = required.as_str()
                && !object.contains_key(name)
            {
                problems.push(format!("{path}: missing required {name}"));
            }
        }
        for (name, item) in object {
            match properties.and_then(|p| p.get(name)) {
                Some(property) => {
                    check_into(root, property, item, &format!("{path}/{name}"), problems)
                }
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        problems.push(format!("{path}: unexpected property {name}"))
                    }
                    Some(extra @ Value::Object(_)) => {
                        check_into(root, extra, item, &format!("{path}/{name}"), problems)
                    }
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check_into(root, items, item, &format!("{path}/{i}"), problems);
        }
    }
}

fn check_format(schema: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
    let (Some(format), Some(text)) = (schema.get("format").and_then(Value::as_str), value.as_str())
    else {
        return;
    };
    let ok = match format {
        "uuid" => uuid::Uuid::parse_str(text).is_ok(),
        "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        _ => true,
    };
    if !ok {
        problems.push(format!("{path}: {text:?} is not a {format}"));
    }
}

fn check_bounds(schema: &Value, value: &Value, path: &str, problems: &mut Vec<String>) {
    let Some(number) = value.as_f64() else {
        return;
    };
    if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64)
        && number < minimum
    {
        problems.push(format!("{path}: {number} < minimum {minimum}"));
    }
    if let Some(maximum) = schema.get("maximum").and_then(Value::as_f64)
        && number > maximum
    {
        problems.push(format!("{path}: {number} > maximum {maximum}"));
    }
}
