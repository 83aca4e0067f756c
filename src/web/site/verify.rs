//! What `qantar-bot check` asks of the site: every page was written, and every link
//! and picture a page names inside the site leads to a file of the site. A curator who
//! renames an event learns it from `check`, not from a reader's 404.

use super::Site;

/// The problems, one sentence each naming the page and the address.
pub fn problems(site: &Site) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, file) in &site.files {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let Ok(html) = std::str::from_utf8(&file.body) else {
            problems.push(format!("web page {path}: not UTF-8"));
            continue;
        };
        if html.trim().is_empty() {
            problems.push(format!("web page {path}: empty"));
            continue;
        }
        for target in addresses(html) {
            if let Some(resolved) = resolve(path, target)
                && !exists(site, &resolved)
            {
                problems.push(format!(
                    "web page {path}: links to {target}, which the site does not have"
                ));
            }
        }
    }
    problems
}

/// Every `href="…"` and `src="…"` in the page.
fn addresses(html: &str) -> impl Iterator<Item = &str> {
    ["href=\"", "src=\""].into_iter().flat_map(move |attr| {
        html.match_indices(attr).filter_map(move |(at, _)| {
            let rest = &html[at + attr.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
    })
}

/// The site path a relative address from `page` leads to; `None` for what is not a file
/// of the site (another site, an anchor on the same page, a data: address).
fn resolve(page: &str, target: &str) -> Option<String> {
    let target = target.split('#').next().unwrap_or_default();
    if target.is_empty() || target.contains(':') || target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for segment in target.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if target.ends_with('/') || path.is_empty() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    Some(path)
}

fn exists(site: &Site, path: &str) -> bool {
    site.files.contains_key(path) || site.maps.contains_key(path)
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn relative_addresses_resolve_from_the_page() {
        let page = "ru/timeline/akimat-fire/index.html";
        assert_eq!(
            resolve(page, "../../../assets/site.css").as_deref(),
            Some("assets/site.css")
        );
        assert_eq!(
            resolve(page, "../zhanaozen/").as_deref(),
            Some("ru/timeline/zhanaozen/index.html")
        );
        assert_eq!(
            resolve(page, "../../#timeline").as_deref(),
            Some("ru/index.html")
        );
        assert_eq!(
            resolve("index.html", "ru/").as_deref(),
            Some("ru/index.html")
        );
        assert_eq!(resolve(page, "https://hrw.org/x"), None);
        assert_eq!(resolve(page, "#main"), None);
        assert_eq!(resolve("index.html", "../../x"), None);
    }
}
