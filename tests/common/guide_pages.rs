//! The pages the guide's tests read: the README, then every chapter of `docs/`, its reference
//! and its exercises, each folder in name order.

use std::path::PathBuf;

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The README and every Markdown page of the guide.
pub fn guide_pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    for dir in ["docs", "docs/reference", "docs/exercises"] {
        let mut found: Vec<PathBuf> = (std::fs::read_dir(root().join(dir)).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        found.sort();
        pages.extend(found);
    }
    pages
}
