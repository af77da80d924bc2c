//! URL canonicalization: the canonical URL is the importer's idempotency key, so two spellings
//! of one address must become one string. Scheme and host are lowercased, default ports and
//! fragments dropped, tracking parameters (utm_*, fbclid, gclid, ...) removed.

use url::Url;

/// Query parameters that only track the reader, never select content.
const TRACKING_PARAMS: [&str; 14] = [
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "mc_cid", "mc_eid",
    "igshid", "_ga", "_gl", "ocid", "cmpid",
];

/// The longest canonical URL, in bytes: what browsers and sitemaps (2,048) accept, and within
/// the 2,704 bytes a database index entry may hold.
pub const MAX_URL_BYTES: usize = 2048;
/// The longest host name DNS allows.
const MAX_HOST_BYTES: usize = 253;

/// A canonical article URL and the source domain taken from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalUrl {
    /// The canonical URL.
    pub url: String,
    /// The host without a leading `www.`, e.g. `sputnikglobe.com`.
    pub domain: String,
}

/// Canonicalizes an absolute http(s) URL, or says why it is not one.
pub fn canonicalize(raw: &str) -> Result<CanonicalUrl, String> {
    let mut url = Url::parse(raw.trim()).map_err(|error| format!("not a URL ({error})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("not an http(s) URL (scheme {})", url.scheme()));
    }
    // "https://./x" has the host ".", which is empty once its root dot is dropped.
    let host = url
        .host_str()
        .map(|host| host.trim_end_matches('.').to_owned())
        .filter(|host| !host.is_empty())
        .ok_or_else(|| "the URL has no host".to_owned())?;
    // The url crate lets through host names DNS never has ("a&lt;b"); the domain, shown as
    // the source's name, must read the same once normalized as text.
    if let Some(url::Host::Domain(name)) = url.host()
        && !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        return Err(format!(
            "the host {name:?} is not a domain name (letters, digits, hyphens and dots)"
        ));
    }
    if host.len() > MAX_HOST_BYTES {
        return Err(format!(
            "the host name is longer than {MAX_HOST_BYTES} characters"
        ));
    }
    // The url crate already lowercases scheme and host and drops default ports.
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !is_tracking(name))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let domain = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    let url: String = url.into();
    if url.len() > MAX_URL_BYTES {
        return Err(format!(
            "longer than {MAX_URL_BYTES} bytes ({} once canonical)",
            url.len()
        ));
    }
    Ok(CanonicalUrl { url, domain })
}

fn is_tracking(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_") || TRACKING_PARAMS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_host_port_fragment_and_tracking_are_canonicalized() {
        let canonical =
            canonicalize("HTTPS://WWW.Example.COM:443/News/Story?id=7&utm_source=x&fbclid=y#top")
                .expect("a valid URL");

        assert_eq!(canonical.url, "https://www.example.com/News/Story?id=7");
        assert_eq!(canonical.domain, "example.com");
    }

    #[test]
    fn a_query_of_only_tracking_parameters_disappears() {
        let canonical =
            canonicalize("http://example.org:80/a?utm_medium=social").expect("a valid URL");

        assert_eq!(canonical.url, "http://example.org/a");
    }

    #[test]
    fn a_host_that_is_no_domain_name_is_refused() {
        // Found by the import_formats fuzz target: the domain became the source's name,
        // which normalization turned into "dail<p>y.example.org" on the next import.
        let refused =
            canonicalize("https://dail&lt;p&gt;y.example.org/a/3").expect_err("no domain");
        let idna = canonicalize("https://Bücher.example/a").expect("an IDN");
        let address = canonicalize("http://[::1]:8080/a").expect("an address");

        assert!(refused.contains("not a domain name"), "{refused}");
        assert_eq!(idna.domain, "xn--bcher-kva.example");
        assert_eq!(address.domain, "[::1]");
    }

    #[test]
    fn relative_and_non_http_urls_are_refused() {
        assert!(canonicalize("/news/1").is_err());
        assert!(canonicalize("ftp://example.org/file").is_err());
        assert!(canonicalize("").is_err());
        // Found by the import_formats fuzz target: an empty domain and source name.
        assert!(canonicalize("https://./a").is_err());
        assert!(canonicalize("https://.../a").is_err());
    }
}
