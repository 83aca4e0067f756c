//! Content and locales loaded together: the immutable value every reply is rendered from
//! (`render::Material`), with the replies rendered from it at load (`render::Ready`),
//! swapped whole on reload (`LiveCatalog`); and where it is loaded from (`ContentPaths`).

use std::borrow::Cow;
use std::path::Path;

use crate::content;
use crate::i18n::Locales;
use crate::lang::Lang;
use crate::problem::Problems;
use crate::render::{Material, Ready, Reply, render};
use crate::view::View;

/// The material (content, locales, search) and the replies rendered from it at load.
/// Derefs to the material: `catalog.content`, `render(&catalog, …)`.
#[derive(Debug)]
pub struct Catalog {
    material: Material,
    /// Every reply that takes no input, rendered at load (see `render::Ready`).
    pub ready: Ready,
}

impl std::ops::Deref for Catalog {
    type Target = Material;

    fn deref(&self) -> &Material {
        &self.material
    }
}

impl Catalog {
    /// Loads both directories and reports the problems of both in one list.
    pub fn load(content_dir: &Path, locales_dir: &Path) -> Result<Catalog, Problems> {
        match (content::load(content_dir), Locales::load(locales_dir)) {
            (Ok(content), Ok(locales)) => {
                let material = Material::new(content, locales);
                let ready = Ready::build(&material);
                Ok(Catalog { material, ready })
            }
            (content, locales) => {
                let mut all = Vec::new();
                if let Err(Problems(p)) = content {
                    all.extend(p);
                }
                if let Err(Problems(p)) = locales {
                    all.extend(p);
                }
                Err(Problems(all))
            }
        }
    }

    /// The reply to `view`: the one rendered at load if there is one, else rendered now.
    /// Always equal to `render(self, lang, view)`.
    pub fn reply(&self, lang: Lang, view: &View) -> Cow<'_, Reply> {
        match self.ready.get(lang, view) {
            Some(reply) => Cow::Borrowed(reply),
            None => Cow::Owned(render(&self.material, lang, view)),
        }
    }
}

/// Where the catalog is read from, kept for reloads.
#[derive(Debug, Clone)]
pub struct ContentPaths {
    pub content_dir: std::path::PathBuf,
    pub locales_dir: std::path::PathBuf,
}

/// The catalog in service, swapped whole on reload: a request renders from one
/// consistent set, never half old and half new.
#[derive(Debug)]
pub struct LiveCatalog {
    current: std::sync::RwLock<std::sync::Arc<Catalog>>,
    generation: std::sync::atomic::AtomicU64,
}

impl LiveCatalog {
    pub fn new(catalog: Catalog) -> LiveCatalog {
        LiveCatalog {
            current: std::sync::RwLock::new(std::sync::Arc::new(catalog)),
            generation: std::sync::atomic::AtomicU64::new(1),
        }
    }

    /// The set to render this request from.
    pub fn get(&self) -> std::sync::Arc<Catalog> {
        // A poisoned lock still holds a complete catalog: swaps are a single assignment.
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Puts a new, already validated set in service; returns its generation number.
    pub fn replace(&self, catalog: Catalog) -> u64 {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = std::sync::Arc::new(catalog);
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1
    }

    /// 1 for the set loaded at start, +1 for each reload.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Relaxed)
    }
}
