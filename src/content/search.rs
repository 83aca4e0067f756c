//! Finding timeline events for inline queries, across all three languages.
//!
//! Text is folded so that a reader typing on a Russian keyboard (к for қ, у for ү/ұ…)
//! or without diacritics still finds the Kazakh spelling, and case never matters.

use crate::content::{Content, Event};

/// Lowercases and folds Kazakh-specific letters (and ё) to their nearest common
/// Cyrillic letter; everything that is not a letter or digit becomes a space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'қ' => 'к',
            'ғ' => 'г',
            'ү' | 'ұ' => 'у',
            'ө' => 'о',
            'ә' => 'а',
            'і' => 'и',
            'ң' => 'н',
            'һ' => 'х',
            'ё' => 'е',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        out.push(folded);
    }
    out
}

/// Precomputed folded text of each event, in all languages, built once per content load.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    events: Vec<String>,
}

impl SearchIndex {
    pub fn build(content: &Content) -> SearchIndex {
        let events = content
            .events
            .iter()
            .map(|e| {
                let mut text = String::new();
                for l in [&e.title, &e.place, &e.body] {
                    for s in [&l.en, &l.ru, &l.kk] {
                        text.push(' ');
                        text.push_str(&fold(s));
                    }
                }
                text
            })
            .collect();
        SearchIndex { events }
    }

    /// Events whose text contains every word of the query, in timeline order.
    /// An empty query matches every event.
    pub fn matching<'c>(&self, content: &'c Content, query: &str) -> Vec<&'c Event> {
        let folded = fold(query);
        let words: Vec<&str> = folded.split_whitespace().take(8).collect();
        content
            .events
            .iter()
            .zip(&self.events)
            .filter(|(_, text)| words.iter().all(|w| text.contains(w)))
            .map(|(e, _)| e)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_treats_kazakh_letters_sensibly() {
        assert_eq!(fold("ЖАҢАӨЗЕН"), fold("жанаозен"));
        assert_eq!(fold("Қасым-Жомарт Тоқаев"), "касым жомарт токаев");
        assert_eq!(fold("ҰҚШҰ"), "укшу");
        assert_eq!(fold("Zhanaozen!"), "zhanaozen ");
    }
}
