//! The diagram's legend: one entry per kind of mark, line or band, with the shape and colour
//! the script draws, listing only the kinds the run has (the model says which, see
//! `Model::kinds`), folded into a `<details>` that the page's script closes on a small window.

use std::collections::BTreeSet;

/// Every entry, in the order the legend shows them: the model's key for the kind, and its
/// sample and words.
const ENTRIES: [(&str, &str); 24] = [
    (
        "msg",
        r##"<svg width="22" height="10"><line x1="1" y1="5" x2="19" y2="5" class="msg"/><path d="M15 2L20 5L15 8z" fill="#3465a4"/></svg>message (label: its kind)"##,
    ),
    (
        "dupmsg",
        r##"<svg width="22" height="10"><line x1="1" y1="5" x2="20" y2="5" class="msg dup"/></svg>duplicate delivery"##,
    ),
    (
        "tampered",
        r##"<svg width="22" height="10"><line x1="1" y1="5" x2="20" y2="5" class="msg tampered"/></svg>tampered message"##,
    ),
    (
        "drop",
        r##"<svg width="22" height="10"><line x1="1" y1="5" x2="14" y2="5" class="msg lost"/><path d="M13 1L21 9M13 9L21 1" class="cross"/></svg>dropped"##,
    ),
    (
        "crash",
        r##"<svg width="14" height="14"><path d="M2 2L12 12M2 12L12 2" class="crash"/></svg>crash"##,
    ),
    (
        "down",
        r##"<svg width="22" height="10"><line x1="1" y1="5" x2="21" y2="5" class="life down"/></svg>down"##,
    ),
    (
        "recover",
        r##"<svg width="14" height="14"><circle cx="7" cy="7" r="5" class="recover"/></svg>recovery"##,
    ),
    (
        "obs",
        r##"<svg width="10" height="10"><circle cx="5" cy="5" r="4" fill="#204a87"/></svg>observation"##,
    ),
    (
        "step",
        r##"<svg width="12" height="10"><circle cx="6" cy="5" r="3" class="step"/></svg>event (click: state)"##,
    ),
    (
        "suspect",
        r##"<svg width="12" height="10"><path d="M6 1l5 8l-10 0z" class="suspect"/></svg>suspicion"##,
    ),
    (
        "trust",
        r##"<svg width="12" height="10"><path d="M6 1l5 8l-10 0z" class="trust"/></svg>trusted again"##,
    ),
    (
        "timer",
        r##"<svg width="6" height="12"><line x1="3" y1="0" x2="3" y2="12" class="timer"/></svg>timer fired"##,
    ),
    (
        "persist",
        r##"<svg width="8" height="8"><rect x="1" y="1" width="6" height="6" class="persist"/></svg>stable storage written"##,
    ),
    (
        "tamper",
        r##"<svg width="12" height="12"><path d="M6 0l6 6l-6 6l-6-6z" class="tamper"/></svg>tampering"##,
    ),
    (
        "dup",
        r##"<svg width="14" height="10"><text x="0" y="9" class="dupmark">×2</text></svg>network duplicates"##,
    ),
    (
        "omission",
        r##"<svg width="6" height="12"><rect x="1" y="0" width="3" height="12" class="omission"/></svg>omission starts / ends"##,
    ),
    (
        "clock",
        r##"<svg width="14" height="14"><path d="M2 7a5 5 0 1 0 10 0a5 5 0 1 0 -10 0M7 4v3h2" class="clock"/></svg>clock set off / drifting"##,
    ),
    (
        "slow",
        r##"<svg width="16" height="6"><rect x="1" y="1" width="14" height="4" class="slowmark"/></svg>runs slow / normal again"##,
    ),
    (
        "lost",
        r##"<svg width="10" height="10"><path d="M1 1L9 9M1 9L9 1" class="lostmark"/></svg>unsynced writes lost"##,
    ),
    (
        "partition",
        r##"<svg width="22" height="12"><rect x="0" y="0" width="10" height="12" class="side0"/><rect x="11" y="0" width="10" height="12" class="side1"/></svg>partition sides"##,
    ),
    (
        "traitor",
        r##"<svg width="22" height="12"><rect x="0" y="0" width="22" height="12" class="traitor-band"/><line x1="0" y1="6" x2="22" y2="6" class="life traitor"/></svg>traitor (Byzantine)"##,
    ),
    (
        "violation",
        r##"<svg width="8" height="14"><line x1="4" y1="0" x2="4" y2="14" stroke="#cc0000" stroke-width="2"/></svg>violation"##,
    ),
    (
        "culprit",
        r##"<svg width="16" height="16"><circle cx="8" cy="8" r="6" class="culprit"/></svg>an event the violation names"##,
    ),
    (
        "dim",
        r##"<svg width="10" height="10"><circle cx="5" cy="5" r="4" fill="#204a87" opacity=".13"/></svg>outside the causal past"##,
    ),
];

/// The legend of a run that has `kinds`: a folded box, open unless the script closes it.
pub(super) fn legend(kinds: &BTreeSet<&str>) -> String {
    let shown: Vec<&str> = ENTRIES
        .iter()
        .filter(|(key, _)| kinds.contains(key))
        .map(|&(_, html)| html)
        .collect();
    if shown.is_empty() {
        return String::new();
    }
    let mut h = format!(
        "<details class=\"fold legend-box\" open><summary>legend ({} kinds in this run)</summary><div class=\"legend\">\n",
        shown.len()
    );
    for entry in shown {
        h.push_str("<span>");
        h.push_str(entry);
        h.push_str("</span>\n");
    }
    h.push_str("</div></details>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legend_lists_only_what_the_run_has() {
        let h = legend(&["msg", "crash", "culprit"].into_iter().collect());
        assert_eq!(h.matches("<span>").count(), 3, "{h}");
        assert!(h.contains("crash") && !h.contains("tampering"));
        assert!(h.contains("legend (3 kinds in this run)"));
        assert_eq!(legend(&BTreeSet::new()), "");
    }

    #[test]
    fn every_kind_the_model_names_has_an_entry() {
        let keys: BTreeSet<&str> = ENTRIES.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys.len(), ENTRIES.len());
    }
}
