//! openapi.yaml as a JSON Schema 2020-12 resource, for holding responses against it with a
//! complete validator (the `jsonschema` crate: every keyword, `format` included). A schema
//! anywhere in the document is named by its JSON pointer; its `$ref`s resolve inside the
//! document.

use jsonschema::{Draft, Registry, Validator};
use serde_json::{Value, json};

/// The base URI openapi.yaml is registered under.
const BASE: &str = "urn:newsgraph:openapi";

/// The contract, parsed and registered.
pub struct Contract {
    /// openapi.yaml as JSON.
    pub spec: Value,
    registry: Registry<'static>,
}

impl Contract {
    /// openapi.yaml of the repository.
    pub fn load() -> Self {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
            .expect("openapi.yaml");
        Self::of(serde_norway::from_str(&text).expect("openapi.yaml is YAML"))
    }

    /// A contract made of `spec` (an OpenAPI 3.1 document as JSON).
    pub fn of(spec: Value) -> Self {
        let registry = Registry::new()
            .add(BASE, spec.clone())
            .expect("a resource")
            .prepare()
            .expect("the document's references resolve");
        Self { spec, registry }
    }

    /// A validator for the schema at `pointer` in the document.
    pub fn validator(&self, pointer: &str) -> Validator {
        assert!(
            self.spec.pointer(pointer).is_some(),
            "no schema at {pointer} in openapi.yaml"
        );
        jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .build(&json!({ "$ref": format!("{BASE}#{}", fragment(pointer)) }))
            .unwrap_or_else(|error| panic!("the schema at {pointer} is invalid: {error}"))
    }

    /// What is wrong with `value` against the schema at `pointer` (empty when it conforms),
    /// each with where in `value`.
    pub fn problems(&self, pointer: &str, value: &Value) -> Vec<String> {
        self.validator(pointer)
            .iter_errors(value)
            .map(|error| format!("{}: {error}", error.instance_path()))
            .collect()
    }
}

/// A JSON pointer as a URI fragment (RFC 6901, section 6): what a fragment may not hold
/// percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"/~-._!$&'()*+,;=:@".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `segment` escaped for a JSON pointer (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}
