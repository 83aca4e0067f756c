//! Telegram's HTML dialect: escaping what we insert, checking what we produce, and
//! turning a reply into plain terminal text for `preview`.

/// Escapes text for Telegram HTML. Telegram knows only these named entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A curated text's paragraphs (separated by a blank line), each trimmed and escaped:
/// the chat sends them as blocks, the web pages wrap each in `<p>`.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| escape(p.trim()))
        .filter(|p| !p.is_empty())
        .collect()
}

/// A link whose address and label are both escaped.
pub fn link(url: &str, label: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape(url), escape(label))
}

/// Shortens text a person typed before it is echoed back, so a 10,000-character
/// argument cannot blow up a refusal.
pub fn clip(text: &str, max_chars: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max_chars).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Length as Telegram counts it.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

const TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
];

/// Checks that `html` would be accepted by Telegram's HTML parse mode: known tags,
/// properly nested, and every `<`, `>` and `&` outside a tag escaped.
pub fn check_telegram_html(html: &str) -> Result<(), String> {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(['<', '>', '&']) {
        let at = &rest[i..];
        match at.as_bytes()[0] {
            b'>' => return Err(format!("bare `>` near {:?}", clip(at, 20))),
            b'&' => {
                let end = at
                    .find(';')
                    .ok_or_else(|| format!("bare `&` near {:?}", clip(at, 20)))?;
                let entity = &at[1..end];
                let ok = matches!(entity, "lt" | "gt" | "amp" | "quot")
                    || entity
                        .strip_prefix("#x")
                        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                    || entity
                        .strip_prefix('#')
                        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
                if !ok {
                    return Err(format!("unknown entity `&{entity};`"));
                }
                rest = &at[end + 1..];
            }
            _ => {
                let end = at
                    .find('>')
                    .ok_or_else(|| format!("unclosed tag near {:?}", clip(at, 20)))?;
                let inner = &at[1..end];
                if let Some(name) = inner.strip_prefix('/') {
                    match stack.pop() {
                        Some(open) if open == name => {}
                        other => {
                            return Err(format!("`</{name}>` closes {other:?}"));
                        }
                    }
                } else {
                    let name = inner.split_whitespace().next().unwrap_or_default();
                    let name = TAGS
                        .iter()
                        .find(|t| **t == name)
                        .ok_or_else(|| format!("unknown tag `<{inner}>`"))?;
                    if *name == "a" && !inner.starts_with("a href=\"") {
                        return Err(format!("link without href: `<{inner}>`"));
                    }
                    if inner.contains('<') {
                        return Err(format!("`<` inside tag `<{inner}>`"));
                    }
                    stack.push(name);
                }
                rest = &at[end + 1..];
            }
        }
    }
    match stack.last() {
        Some(open) => Err(format!("`<{open}>` never closed")),
        None => Ok(()),
    }
}

/// Plain text for a terminal: links become `label <url>`, tags go, entities are decoded.
pub fn to_terminal(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut pending_href: Vec<Option<String>> = Vec::new();
    while let Some(i) = rest.find('<') {
        out.push_str(&unescape(&rest[..i]));
        let at = &rest[i..];
        let Some(end) = at.find('>') else {
            out.push_str(&unescape(at));
            return out;
        };
        let inner = &at[1..end];
        if let Some(href) = inner
            .strip_prefix("a href=\"")
            .and_then(|h| h.strip_suffix('"'))
        {
            pending_href.push(Some(unescape(href)));
        } else if inner == "/a"
            && let Some(Some(href)) = pending_href.pop()
            && !out.ends_with(&href)
        {
            out.push_str(&format!(" <{href}>"));
        }
        rest = &at[end + 1..];
    }
    out.push_str(&unescape(rest));
    out
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_characters() {
        assert_eq!(escape("<b>&\"x\""), "&lt;b&gt;&amp;&quot;x&quot;");
        assert!(check_telegram_html(&escape("a < b && c > d <i>")).is_ok());
    }

    #[test]
    fn checker_accepts_telegram_html() {
        let ok = "<b>bold</b> <a href=\"https://x.org/?a=1&amp;b=2\">x</a> &lt; &#123;";
        assert_eq!(check_telegram_html(ok), Ok(()));
    }

    #[test]
    fn checker_rejects_what_telegram_rejects() {
        for bad in [
            "a < b",
            "a > b",
            "AT&T",
            "<b>x",
            "<b><i>x</b></i>",
            "<div>x</div>",
            "&nbsp;",
            "<a>x</a>",
        ] {
            assert!(check_telegram_html(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn clip_marks_what_it_cut() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("қазақша", 3), "қаз…");
    }

    #[test]
    fn terminal_text_shows_links_and_decodes() {
        let html = "<b>Title</b> &amp; <a href=\"https://a.org/x\">Source</a>";
        assert_eq!(to_terminal(html), "Title & Source <https://a.org/x>");
        let same = "<a href=\"https://a.org\">https://a.org</a>";
        assert_eq!(to_terminal(same), "https://a.org");
    }

    #[test]
    fn utf16_counts_astral_characters_twice() {
        assert_eq!(utf16_len("aқ😀"), 4);
    }
}
