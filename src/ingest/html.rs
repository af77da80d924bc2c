//! HTML to plain text, for feed content (RSS `description`/`content:encoded`, Atom `content`):
//! tags are removed, `script`/`style` content dropped, block elements and `<br>` become line
//! breaks, and character references are left for [`super::text::normalize`] to decode.

/// Elements whose end (or start) breaks a paragraph.
const BLOCK_ELEMENTS: [&str; 22] = [
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "pre",
];

/// Strips HTML markup from `html`, keeping the text and its paragraph structure.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            out.push(' ');
            continue;
        }
        let Some(close) = rest.find('>') else {
            // No '>' anywhere after: every '<' left is text ("a < b"). Stopping here, rather
            // than looking for a '>' again after each one, keeps the work linear.
            out.push_str(rest);
            return out;
        };
        let tag = &rest[1..close];
        rest = &rest[close + 1..];
        let name = tag_name(tag);
        if !tag.starts_with('/') && matches!(name.as_str(), "script" | "style") {
            let end = format!("</{name}");
            rest = find_ignore_case(rest, &end)
                .and_then(|at| rest[at..].find('>').map(|gt| &rest[at + gt + 1..]))
                .unwrap_or("");
            out.push(' ');
            continue;
        }
        if BLOCK_ELEMENTS.contains(&name.as_str()) {
            out.push_str("\n\n");
        } else if !name.is_empty() {
            // Inline elements may separate words ("<td>a</td><td>b</td>"); a space is safe,
            // normalization collapses doubles.
            out.push(' ');
        }
    }
    out.push_str(rest);
    out
}

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Where `needle` (ASCII) first occurs in `haystack`, ignoring ASCII case; reads no further
/// than the match.
fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::text::normalize;

    #[test]
    fn markup_goes_and_paragraphs_stay() {
        let html = "<p>Serbia <b>won't</b> impose sanctions.</p><p>Second&nbsp;one<br/>line</p>";

        assert_eq!(
            normalize(&to_text(html)),
            "Serbia won't impose sanctions.\n\nSecond one\n\nline"
        );
    }

    #[test]
    fn scripts_styles_and_comments_are_dropped() {
        let html = "a<script>var x = '<p>';</script>b<!-- c --><STYLE>p{}</STYLE>d";

        assert_eq!(normalize(&to_text(html)), "a b d");
    }

    #[test]
    fn a_lone_angle_bracket_is_text() {
        assert_eq!(to_text("1 < 2"), "1 < 2");
        assert_eq!(to_text("<b>1</b> < 2 < 3"), " 1  < 2 < 3");
    }

    #[test]
    fn hostile_markup_takes_linear_time() {
        // Each of these took seconds at this size when every '<' or <script> searched the
        // rest of the text again (quadratic); now each is one pass.
        let size = 400_000;
        let cases = [
            "<".repeat(size),
            "<script>x</script>".repeat(size / 18),
            "<p".repeat(size / 2),
        ];
        for html in cases {
            let started = std::time::Instant::now();
            to_text(&html);
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "{:?} for {} bytes",
                started.elapsed(),
                html.len()
            );
        }
    }
}
