//! `ftsim new NAME --lang python|js|go`: a node in another language, ready to run: Maelstrom's
//! broadcast with gossip (`examples/external/`, whose bundled scenarios CI runs), the node
//! library beside it, a scenario that passes and its twin with the naive node
//! (`--no-retry`), which the sweep catches. Its test is `ftsim run scenarios/*.toml`.

use super::Template;

/// The bundled broadcast scenario a node's two scenarios are made from.
const SCENARIO: &str = include_str!("../../../scenarios/maelstrom-broadcast-python.toml");

/// The node and its library, for Python.
pub(super) const PYTHON: &[(&str, &str)] = &[
    (
        "node.py",
        include_str!("../../../examples/external/python/broadcast.py"),
    ),
    (
        "ftsim_node.py",
        include_str!("../../../libraries/python/ftsim_node.py"),
    ),
];

/// The node and its library, for JavaScript (Node.js).
pub(super) const JS: &[(&str, &str)] = &[
    (
        "node.js",
        include_str!("../../../examples/external/js/broadcast.js"),
    ),
    (
        "ftsim_node.js",
        include_str!("../../../libraries/js/ftsim_node.js"),
    ),
];

/// The node and its library (a module of its own), for Go.
pub(super) const GO: &[(&str, &str)] = &[
    (
        "main.go",
        include_str!("../../../examples/external/go/broadcast/main.go"),
    ),
    (
        "ftsimnode/go.mod",
        include_str!("../../../libraries/go/go.mod"),
    ),
    (
        "ftsimnode/node.go",
        include_str!("../../../libraries/go/node.go"),
    ),
];

/// Builds the Go node and becomes it (a scenario runs `sh ../run.sh`).
const GO_RUN: &str = "#!/bin/sh
# Builds this node and becomes it, with the arguments given: a scenario's
# `node = \"sh ../run.sh\"` runs it. The build goes to a temporary name, renamed into place,
# so nodes starting at once do not write over each other; Go's cache makes every build after
# the first quick.
set -e
here=$(cd \"$(dirname \"$0\")\" && pwd)
mkdir -p \"$here/.build\"
(cd \"$here\" && go build -o \".build/node.$$\" .)
mv -f \"$here/.build/node.$$\" \"$here/.build/node\"
exec \"$here/.build/node\" \"$@\"
";

/// The files of a node in `lang` ("python", "js" or "go") named `name`.
pub(super) fn template(lang: &str, name: &str) -> Template {
    let (files, command) = match lang {
        "python" => (PYTHON, "python3 ../node.py"),
        "go" => (GO, "sh ../run.sh"),
        _ => (JS, "node ../node.js"),
    };
    let mut out: Template = (files.iter())
        .map(|(path, text)| (path.to_string(), local_library(text)))
        .collect();
    if lang == "go" {
        let module = format!(
            "module {name}\n\ngo 1.19\n\nrequire ftsimnode v0.0.0\n\nreplace ftsimnode => ./ftsimnode\n"
        );
        out.push(("go.mod".to_string(), module));
        out.push(("run.sh".to_string(), GO_RUN.to_string()));
        out.push((".gitignore".to_string(), "/.build\n".to_string()));
    }
    let pass = scenario(
        name,
        command,
        "pass",
        "a node that gossips until every neighbour has acknowledged each value",
    );
    let naive = scenario(
        &format!("{name}-no-retry"),
        &format!("{command} --no-retry"),
        "{ violation = \"acknowledged-read-everywhere\" }",
        "the same node with --no-retry, which forwards each new value once: a lost message or \
         a partition leaves some node without an acknowledged value for ever",
    );
    out.push((format!("scenarios/{name}.toml"), pass));
    out.push((format!("scenarios/{name}-no-retry.toml"), naive));
    out.push(("README.md".to_string(), readme(name, lang)));
    out
}

/// A node's text with its library read from beside it, not from ftsim's checkout.
fn local_library(text: &str) -> String {
    text.replace(
        "os.path.join(os.path.dirname(__file__), \"../../../libraries/python\")",
        "os.path.dirname(os.path.abspath(__file__))",
    )
    .replace(
        "require(\"../../../libraries/js/ftsim_node\")",
        "require(\"./ftsim_node\")",
    )
}

/// The bundled broadcast scenario, named `name`, running `command`, expecting `expect`.
fn scenario(name: &str, command: &str, expect: &str, what: &str) -> String {
    let mut out = String::new();
    for line in SCENARIO.lines() {
        let line = match line.split_once(" = ").map(|(key, _)| key) {
            Some("name") => format!("name = \"{name}\""),
            Some("description") => format!(
                "description = \"Maelstrom's fault-tolerant broadcast against {what}: five \
                 nodes on a grid, two clients, lost messages and partitions during the first \
                 300ms; every acknowledged value must reach every node's last read once the \
                 network heals.\""
            ),
            Some("expect") => format!("expect = {}", quoted_unless_table(expect)),
            Some("node") => format!("node = \"{command}\""),
            _ => line.to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn quoted_unless_table(expect: &str) -> String {
    match expect.starts_with('{') {
        true => expect.to_string(),
        false => format!("\"{expect}\""),
    }
}

/// What the directory holds and how to run it.
fn readme(name: &str, lang: &str) -> String {
    let (node, library, language) = match lang {
        "python" => ("node.py", "`ftsim_node.py` beside it", "Python"),
        "go" => ("main.go", "the `ftsimnode` module in `ftsimnode/`", "Go"),
        _ => ("node.js", "`ftsim_node.js` beside it", "JavaScript"),
    };
    format!(
        "# {name}\n\n\
         A node for ftsim in {language}, made by `ftsim new {name} --lang {lang}` from ftsim's \
         example: Maelstrom's broadcast with gossip.\n\n\
         - `{node}`: the node. It reads Maelstrom's JSON messages on stdin and writes them on \
         stdout, through {library} (ftsim's node library).\n\
         - `scenarios/{name}.toml`: the broadcast workload over lost messages and partitions; \
         every acknowledged value must reach every node. It passes.\n\
         - `scenarios/{name}-no-retry.toml`: the same with `--no-retry`, which forwards each \
         value once; the sweep must catch it.\n\n\
         Run both (exit code 0: each scenario met its expectation):\n\n\
         ```sh\nftsim run scenarios/*.toml\n```\n\n\
         Then change the node, or the workload (`ftsim list maelstrom-broadcast`, and \
         `ftsim list` for the others). ftsim's guide, `docs/external-nodes.md`, says what \
         determinism asks of a node.\n"
    )
}
