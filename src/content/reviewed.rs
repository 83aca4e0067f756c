//! Which English text each Russian and Kazakh translation was made or last reviewed
//! from (`content/reviewed.yaml`), so that `check` can tell a translator, entry by
//! entry, that the English has changed since, and show the old and new English.
//!
//! The record lives in a file of its own, written only by `qantar-bot check
//! --reviewed`: the content files stay as curators write them (no hashes beside the
//! texts), and the tool never rewrites a file a person edits, so comments and layout
//! there are never lost.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::model::Content;
use crate::lang::Lang;

pub const REVIEWED_FILE: &str = "reviewed.yaml";

/// The languages translated from English.
pub const TRANSLATED: [Lang; 2] = [Lang::Ru, Lang::Kk];

/// One entry of the record as a translator meets it: its English, field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `timeline:akimat_fire`, `summary:overview`, `sources:cnn_report`…
    pub key: String,
    /// The content file it is in, e.g. `timeline.yaml`.
    pub file: &'static str,
    /// The entry's id inside that file.
    pub id: String,
    /// (field, English text), in the order a reader meets them.
    pub english: Vec<(String, String)>,
}

impl Entry {
    fn new(file: &'static str, id: &str, english: Vec<(String, String)>) -> Entry {
        Entry {
            key: format!("{}:{id}", file.trim_end_matches(".yaml")),
            file,
            id: id.to_string(),
            english,
        }
    }

    /// A short fingerprint of the English: the first 12 hex digits of a SHA-256 over
    /// every field's name and text.
    pub fn fingerprint(&self) -> String {
        fingerprint(self.english.iter().map(|(f, t)| (f.as_str(), t.as_str())))
    }
}

fn fingerprint<'a>(fields: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut hash = Sha256::new();
    for (field, text) in fields {
        hash.update(field.as_bytes());
        hash.update([0]);
        hash.update(text.trim().as_bytes());
        hash.update([0]);
    }
    hash.finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn field(name: &str, text: &str) -> (String, String) {
    (name.to_string(), text.to_string())
}

/// Every translated entry of the record, file by file, in file order.
pub fn entries(c: &Content) -> Vec<Entry> {
    let mut all = Vec::new();
    let o = &c.summary.overview;
    all.push(Entry::new(
        "summary.yaml",
        "overview",
        vec![field("title", &o.title.en), field("body", &o.body.en)],
    ));
    for t in &c.summary.topics {
        all.push(Entry::new(
            "summary.yaml",
            &t.id,
            vec![field("title", &t.title.en), field("body", &t.body.en)],
        ));
    }
    for e in &c.events {
        all.push(Entry::new(
            "timeline.yaml",
            &e.id,
            vec![
                field("place", &e.place.en),
                field("title", &e.title.en),
                field("body", &e.body.en),
            ],
        ));
    }
    for s in &c.sources {
        all.push(Entry::new(
            "sources.yaml",
            &s.id,
            vec![field("about", &s.about.en)],
        ));
    }
    let p = &c.petition;
    all.push(Entry::new(
        "petition.yaml",
        "petition",
        vec![field("title", &p.title.en), field("ask", &p.ask.en)],
    ));
    for a in &c.announcements {
        let mut english = vec![field("text", &a.text.en)];
        for (i, b) in a.buttons.iter().enumerate() {
            if let Some(label) = &b.label {
                english.push(field(&format!("buttons[{i}].label"), &label.en));
            }
        }
        all.push(Entry::new("announcements.yaml", &a.id, english));
    }
    for p in &c.places {
        let mut english = vec![field("name", &p.name.en)];
        if let Some(r) = &p.renamed {
            english.push(field("renamed.name", &r.name.en));
        }
        all.push(Entry::new("places.yaml", &p.id, english));
    }
    all
}

/// `content/reviewed.yaml`: per entry, the fingerprint each translation was reviewed
/// against, and the English behind each fingerprint still in use.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewedFile {
    #[serde(default)]
    entries: BTreeMap<String, Record>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ru: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kk: Option<String>,
    /// fingerprint → field → English text.
    #[serde(default)]
    english: BTreeMap<String, BTreeMap<String, String>>,
}

impl Record {
    fn lang(&self, lang: Lang) -> Option<&String> {
        match lang {
            Lang::Ru => self.ru.as_ref(),
            Lang::Kk => self.kk.as_ref(),
            Lang::En => None,
        }
    }

    fn set(&mut self, lang: Lang, fingerprint: String) {
        match lang {
            Lang::Ru => self.ru = Some(fingerprint),
            Lang::Kk => self.kk = Some(fingerprint),
            Lang::En => {}
        }
    }
}

/// A translation `check` refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The English changed since the translation was reviewed.
    Stale {
        entry: Entry,
        lang: Lang,
        reviewed: String,
        /// The English it was reviewed from, field by field (empty if not kept).
        old: BTreeMap<String, String>,
    },
    /// No record says which English this translation was made from.
    Unrecorded { entry: Entry, lang: Lang },
    /// There is no `reviewed.yaml` at all.
    NoFile,
}

fn read(dir: &Path) -> Result<Option<ReviewedFile>, String> {
    let path = dir.join(REVIEWED_FILE);
    match std::fs::read_to_string(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: cannot read: {e}", path.display())),
        Ok(text) => serde_yaml::from_str::<ReviewedFile>(&text)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
    }
}

/// Compares every translation with the English it was reviewed from.
pub fn findings(dir: &Path, c: &Content) -> Result<Vec<Finding>, String> {
    let Some(file) = read(dir)? else {
        return Ok(vec![Finding::NoFile]);
    };
    let mut found = Vec::new();
    for entry in entries(c) {
        let now = entry.fingerprint();
        let record = file.entries.get(&entry.key);
        for lang in TRANSLATED {
            match record.and_then(|r| r.lang(lang)) {
                None => found.push(Finding::Unrecorded {
                    entry: entry.clone(),
                    lang,
                }),
                Some(reviewed) if *reviewed != now => found.push(Finding::Stale {
                    entry: entry.clone(),
                    lang,
                    reviewed: reviewed.clone(),
                    old: record
                        .and_then(|r| r.english.get(reviewed))
                        .cloned()
                        .unwrap_or_default(),
                }),
                Some(_) => {}
            }
        }
    }
    Ok(found)
}

/// What `--reviewed` names: every translation (`all`), both of an entry
/// (`timeline:akimat_fire`) or one (`timeline:akimat_fire:kk`).
fn select(c: &Content, selectors: &[String]) -> Result<BTreeSet<(String, Lang)>, String> {
    let all = entries(c);
    let mut chosen = BTreeSet::new();
    for s in selectors {
        let s = s.trim();
        if s == "all" {
            for e in &all {
                for lang in TRANSLATED {
                    chosen.insert((e.key.clone(), lang));
                }
            }
            continue;
        }
        let (key, langs) = match s.rsplit_once(':') {
            Some((key, "ru")) => (key, vec![Lang::Ru]),
            Some((key, "kk")) => (key, vec![Lang::Kk]),
            Some((_, "en")) => {
                return Err(format!(
                    "`{s}`: the English is the original; name `ru` or `kk`, or leave the language out for both"
                ));
            }
            _ => (s, TRANSLATED.to_vec()),
        };
        if !all.iter().any(|e| e.key == key) {
            return Err(format!(
                "`{s}` names no entry; write <file>:<id>[:ru|kk] (e.g. timeline:akimat_fire:kk) or `all`"
            ));
        }
        for lang in langs {
            chosen.insert((key.to_string(), lang));
        }
    }
    Ok(chosen)
}

/// Records that the named translations now match the current English, and returns
/// the `entry:lang` pairs marked. Records of entries no longer in the content, and
/// English no translation points at any more, are dropped.
pub fn mark(dir: &Path, c: &Content, selectors: &[String]) -> Result<Vec<String>, String> {
    let chosen = select(c, selectors)?;
    let mut file = read(dir)?.unwrap_or_default();
    let all = entries(c);
    let mut marked = Vec::new();
    for entry in &all {
        for lang in TRANSLATED {
            if !chosen.contains(&(entry.key.clone(), lang)) {
                continue;
            }
            let fp = entry.fingerprint();
            let record = file.entries.entry(entry.key.clone()).or_default();
            record.english.insert(
                fp.clone(),
                entry.english.iter().cloned().collect::<BTreeMap<_, _>>(),
            );
            record.set(lang, fp);
            marked.push(format!("{}:{}", entry.key, lang.code()));
        }
    }
    let keys: BTreeSet<&str> = all.iter().map(|e| e.key.as_str()).collect();
    file.entries.retain(|k, _| keys.contains(k.as_str()));
    for record in file.entries.values_mut() {
        let used: BTreeSet<String> = [record.ru.clone(), record.kk.clone()]
            .into_iter()
            .flatten()
            .collect();
        record.english.retain(|fp, _| used.contains(fp));
    }
    let body = serde_yaml::to_string(&file).map_err(|e| e.to_string())?;
    let text = format!("{HEADER}{body}");
    let path = dir.join(REVIEWED_FILE);
    std::fs::write(&path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    Ok(marked)
}

const HEADER: &str = "\
# Written by `qantar-bot check --reviewed`; not edited by hand (see README, \"For curators\").
# For each entry (<file>:<id>), the fingerprint of the English its Russian (ru) and
# Kazakh (kk) were translated or last reviewed from, and that English, so that `check`
# can show what changed when a curator edits the English.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_ignores_surrounding_space_but_not_words() {
        let a = fingerprint([("body", "Eight dead.")].into_iter());
        let b = fingerprint([("body", " Eight dead.\n")].into_iter());
        let c = fingerprint([("body", "Nine dead.")].into_iter());
        let d = fingerprint([("title", "Eight dead.")].into_iter());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        assert_eq!(a.len(), 12);
    }
}
