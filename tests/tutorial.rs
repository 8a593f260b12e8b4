//! The tutorial quotes the example crate: every `rust` block of docs/writing-a-protocol.md must
//! still appear, line for line, in the example's sources, so the walk-through cannot drift from
//! the code it explains.

use std::path::Path;

fn sources() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/leader-election");
    let mut text = String::new();
    for dir in ["src", "tests"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            text.push_str(&std::fs::read_to_string(f).unwrap());
            text.push('\n');
        }
    }
    text
}

fn rust_blocks(doc: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```rust") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), l) => {
                block.push_str(l);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn every_rust_block_of_the_tutorial_is_in_the_example() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/writing-a-protocol.md"),
    )
    .unwrap();
    let code = sources();
    let blocks = rust_blocks(&doc);
    assert!(blocks.len() >= 6, "found only {} rust blocks", blocks.len());
    for block in blocks {
        assert!(
            code.contains(&block),
            "this tutorial block is not in examples/leader-election any more:\n{block}"
        );
    }
}
