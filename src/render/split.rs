//! Packs rendered blocks into Telegram messages of at most 4096 UTF-16 units.
//!
//! Views hand over blocks (a header, one event, one source) that are each valid HTML on
//! their own, so cutting between blocks never cuts inside a tag.

use super::html::{escape, to_terminal, utf16_len};

/// Telegram's limit for one message's text.
pub const MESSAGE_LIMIT: usize = 4096;

const SEPARATOR: &str = "\n\n";

/// Joins blocks with blank lines, starting a new message whenever the next block would
/// not fit. A block that is too big on its own is cut at line breaks; a single line that
/// is still too big is sent as plain text, cut at a character boundary.
pub fn pack(blocks: impl IntoIterator<Item = String>, limit: usize) -> Vec<String> {
    let mut messages = Vec::new();
    let mut current = String::new();
    for block in blocks {
        for piece in fit(block, limit) {
            let needed = utf16_len(&current) + utf16_len(SEPARATOR) + utf16_len(&piece);
            if !current.is_empty() && needed > limit {
                messages.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push_str(SEPARATOR);
            }
            current.push_str(&piece);
        }
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

/// Breaks one block into pieces that each fit.
fn fit(block: String, limit: usize) -> Vec<String> {
    if utf16_len(&block) <= limit {
        return vec![block];
    }
    let mut pieces = Vec::new();
    let mut current = String::new();
    for line in block.lines() {
        let line = if utf16_len(line) > limit {
            // Tags may open on one line and close on another only across blocks we
            // never produce; a runaway line loses its markup rather than its validity.
            hard_cut(&to_terminal(line), limit)
        } else {
            vec![line.to_string()]
        };
        for part in line {
            if !current.is_empty() && utf16_len(&current) + 1 + utf16_len(&part) > limit {
                pieces.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(&part);
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Cuts plain text into escaped chunks that fit, never inside a character or an entity.
fn hard_cut(plain: &str, limit: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut units = 0;
    for c in plain.chars() {
        let escaped = escape(c.encode_utf8(&mut [0; 4]));
        let n = utf16_len(&escaped);
        if units + n > limit {
            chunks.push(std::mem::take(&mut current));
            units = 0;
        }
        current.push_str(&escaped);
        units += n;
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::super::html::check_telegram_html;
    use super::*;

    #[test]
    fn small_blocks_share_one_message() {
        let out = pack(vec!["<b>a</b>".into(), "b".into()], MESSAGE_LIMIT);
        assert_eq!(out, vec!["<b>a</b>\n\nb".to_string()]);
    }

    #[test]
    fn blocks_move_whole_to_the_next_message() {
        let block = format!("<b>{}</b>", "x".repeat(1500));
        let out = pack(vec![block.clone(); 5], MESSAGE_LIMIT);
        assert_eq!(out.len(), 3);
        for m in &out {
            assert!(utf16_len(m) <= MESSAGE_LIMIT);
            assert!(check_telegram_html(m).is_ok());
            assert!(m.starts_with("<b>") && m.ends_with("</b>"));
        }
    }

    #[test]
    fn oversized_lines_are_cut_validly() {
        let block = format!("<i>{}</i>\n{}", "я&".repeat(5000), "😀".repeat(3000));
        let out = pack(vec![block], MESSAGE_LIMIT);
        assert!(out.len() > 2);
        for m in &out {
            assert!(utf16_len(m) <= MESSAGE_LIMIT, "{}", utf16_len(m));
            assert_eq!(check_telegram_html(m), Ok(()));
        }
    }

    #[test]
    fn nothing_in_gives_nothing_out() {
        assert!(pack(Vec::<String>::new(), MESSAGE_LIMIT).is_empty());
    }
}
