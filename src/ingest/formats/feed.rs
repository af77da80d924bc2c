//! RSS 2.0 and Atom feeds. Each `<item>` or `<entry>` is a record: its link (or permalink
//! guid) is the URL, its full content (`content:encoded`, Atom `content`) or else its summary
//! (`description`, `summary`) is the body with HTML stripped to text, and its date is the
//! first of published / pubDate / dc:date / updated. The feed's title is the source name.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event as Xml};
use quick_xml::{Reader, XmlVersion};

use super::{Event, LineCounter, ReadContext, read_text};
use crate::ingest::html;
use crate::ingest::record::RawRecord;

/// What the text being read belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    FeedTitle,
    FeedLanguage,
    Title,
    Link,
    Guid,
    Content,
    Summary,
    Published,
    Updated,
}

/// How the captured text is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Markup {
    Text,
    /// Escaped HTML (RSS description, Atom type="html").
    Html,
    /// Inline XHTML elements (Atom type="xhtml").
    Xhtml,
}

/// Text being captured from an element, until the element at `depth` ends.
struct Capture {
    target: Target,
    markup: Markup,
    depth: usize,
    text: String,
}

#[derive(Default)]
struct Item {
    line: u64,
    title: Option<String>,
    link: Option<String>,
    guid: Option<String>,
    content: Option<String>,
    summary: Option<String>,
    published: Option<String>,
    updated: Option<String>,
}

#[derive(Default)]
struct Feed {
    title: Option<String>,
    language: Option<String>,
}

pub(super) fn read(
    reader: Box<dyn BufRead + Send>,
    context: &ReadContext,
    sink: &mut dyn FnMut(Event) -> bool,
) {
    let Some(text) = read_text(reader, context, sink) else {
        return;
    };
    let mut parser = Parser {
        xml: Reader::from_str(&text),
        lines: LineCounter::new(&text),
        feed: Feed::default(),
        item: None,
        capture: None,
        depth: 0,
        items: 0,
    };
    parser.xml.config_mut().check_end_names = true;
    parser.run(context, sink);
}

struct Parser<'a> {
    xml: Reader<&'a [u8]>,
    lines: LineCounter<'a>,
    feed: Feed,
    item: Option<Item>,
    capture: Option<Capture>,
    depth: usize,
    items: u64,
}

impl Parser<'_> {
    fn run(&mut self, context: &ReadContext, sink: &mut dyn FnMut(Event) -> bool) {
        loop {
            let before = self.xml.buffer_position();
            match self.xml.read_event() {
                Ok(Xml::Start(element)) => {
                    self.depth += 1;
                    self.start(&element, before, false);
                }
                Ok(Xml::Empty(element)) => {
                    self.depth += 1;
                    self.start(&element, before, true);
                    if !self.end(&local_name(&element), context, sink) {
                        return;
                    }
                }
                Ok(Xml::End(element)) => {
                    let name = element.local_name().as_ref().to_owned();
                    if !self.end(&name, context, sink) {
                        return;
                    }
                }
                Ok(Xml::Text(text)) => self.append(&text.xml10_content()),
                Ok(Xml::CData(data)) => self.append(&data.into_inner()),
                Ok(Xml::GeneralRef(reference)) => {
                    let name = reference.as_ref().to_owned();
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => match name.as_str() {
                            "lt" => "<".to_owned(),
                            "gt" => ">".to_owned(),
                            "amp" => "&".to_owned(),
                            "quot" => "\"".to_owned(),
                            "apos" => "'".to_owned(),
                            // HTML entities in a feed (&nbsp;): left for normalization.
                            other => format!("&{other};"),
                        },
                    };
                    self.append(&resolved);
                }
                Ok(Xml::Eof) => break,
                Ok(_) => {}
                Err(error) => {
                    let line = self.line_at(self.xml.error_position());
                    sink(Event::Failure(
                        context.at(line),
                        format!("invalid XML: {error}"),
                    ));
                    return;
                }
            }
        }
        if self.items == 0 {
            sink(Event::Failure(
                context.file(),
                "no RSS <item> or Atom <entry> found".to_owned(),
            ));
        }
    }

    fn line_at(&mut self, offset: u64) -> u64 {
        self.lines
            .line_at(usize::try_from(offset).unwrap_or(usize::MAX))
    }

    fn append(&mut self, text: &str) {
        if let Some(capture) = self.capture.as_mut() {
            capture.text.push_str(text);
        }
    }

    fn start(&mut self, element: &BytesStart, offset: u64, empty: bool) {
        let name = local_name(element);
        if let Some(capture) = self.capture.as_mut() {
            // Inside Atom xhtml content: elements become the HTML they are.
            if capture.markup == Markup::Xhtml {
                capture.text.push_str(&format!("<{name}>"));
            }
            return;
        }
        if self.item.is_none() {
            if name == "item" || name == "entry" {
                self.item = Some(Item {
                    line: self.line_at(offset),
                    ..Item::default()
                });
            } else if name == "title" && self.feed.title.is_none() {
                self.begin(Target::FeedTitle, Markup::Text);
            } else if name == "language" && self.feed.language.is_none() {
                self.begin(Target::FeedLanguage, Markup::Text);
            }
            return;
        }
        let markup_attr = attribute(element, "type");
        let target = match name.as_str() {
            "title" => Some((
                Target::Title,
                content_markup(markup_attr.as_deref(), Markup::Text),
            )),
            "link" => {
                // Atom: <link href="..." rel="alternate"/>; RSS: <link>url</link>.
                if let Some(href) = attribute(element, "href") {
                    let rel = attribute(element, "rel");
                    if (rel.is_none() || rel.as_deref() == Some("alternate"))
                        && let Some(item) = self.item.as_mut()
                    {
                        item.link.get_or_insert(href);
                    }
                    None
                } else if empty {
                    None
                } else {
                    Some((Target::Link, Markup::Text))
                }
            }
            "guid" | "id" => {
                let permalink = attribute(element, "isPermaLink").as_deref() != Some("false");
                permalink.then_some((Target::Guid, Markup::Text))
            }
            "encoded" => Some((Target::Content, Markup::Html)),
            "content" => Some((
                Target::Content,
                content_markup(markup_attr.as_deref(), Markup::Text),
            )),
            "description" => Some((Target::Summary, Markup::Html)),
            "summary" => Some((
                Target::Summary,
                content_markup(markup_attr.as_deref(), Markup::Text),
            )),
            "published" | "pubDate" | "date" | "issued" => Some((Target::Published, Markup::Text)),
            "updated" | "modified" => Some((Target::Updated, Markup::Text)),
            _ => None,
        };
        if let Some((target, markup)) = target
            && !empty
        {
            self.begin(target, markup);
        }
    }

    fn begin(&mut self, target: Target, markup: Markup) {
        self.capture = Some(Capture {
            target,
            markup,
            depth: self.depth,
            text: String::new(),
        });
    }

    /// Handles the end of an element; returns `false` when the sink asks to stop.
    fn end(
        &mut self,
        name: &str,
        context: &ReadContext,
        sink: &mut dyn FnMut(Event) -> bool,
    ) -> bool {
        let depth = self.depth;
        self.depth = self.depth.saturating_sub(1);
        if let Some(capture) = self.capture.as_mut()
            && capture.depth != depth
        {
            if capture.markup == Markup::Xhtml {
                capture.text.push_str(&format!("</{name}>"));
            }
            return true;
        }
        if let Some(capture) = self.capture.take() {
            self.finish(capture);
            return true;
        }
        if (name == "item" || name == "entry") && self.item.is_some() {
            let item = self.item.take().expect("checked above");
            self.items += 1;
            return sink(Event::Record(context.at(item.line), self.record(item)));
        }
        true
    }

    fn finish(&mut self, capture: Capture) {
        let text = match capture.markup {
            Markup::Text => capture.text,
            Markup::Html | Markup::Xhtml => html::to_text(&capture.text),
        };
        let text = Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        let Some(item) = self.item.as_mut() else {
            match capture.target {
                Target::FeedTitle => self.feed.title = text,
                Target::FeedLanguage => self.feed.language = text,
                _ => {}
            }
            return;
        };
        let slot = match capture.target {
            Target::Title => &mut item.title,
            Target::Link => &mut item.link,
            Target::Guid => &mut item.guid,
            Target::Content => &mut item.content,
            Target::Summary => &mut item.summary,
            Target::Published => &mut item.published,
            Target::Updated => &mut item.updated,
            Target::FeedTitle | Target::FeedLanguage => return,
        };
        if slot.is_none() {
            *slot = text;
        }
    }

    fn record(&self, item: Item) -> RawRecord {
        let guid_url = item
            .guid
            .filter(|guid| guid.starts_with("http://") || guid.starts_with("https://"));
        RawRecord {
            url: item.link.or(guid_url),
            title: item.title,
            body: item.content.or(item.summary),
            published_at: item.published.or(item.updated),
            source: self.feed.title.clone(),
            language: self.feed.language.clone(),
        }
    }
}

fn local_name(element: &BytesStart) -> String {
    element.local_name().as_ref().to_owned()
}

fn attribute(element: &BytesStart, wanted: &str) -> Option<String> {
    element
        .attributes()
        .filter_map(Result::ok)
        .find_map(|attr| {
            (attr.key.local_name().as_ref() == wanted)
                .then(|| {
                    attr.normalized_value(XmlVersion::Implicit1_0)
                        .ok()
                        .map(|value| value.into_owned())
                })
                .flatten()
        })
}

fn content_markup(kind: Option<&str>, default: Markup) -> Markup {
    match kind {
        Some("html" | "text/html") => Markup::Html,
        Some("xhtml" | "application/xhtml+xml") => Markup::Xhtml,
        Some("text" | "text/plain") => Markup::Text,
        _ => default,
    }
}
