//! `explain`: show a page block by block, each marked kept or removed with the rule
//! that decided, then the record.

use std::io::{self, Write};

use crate::Outcome;

/// Write the explanation of `out` to `w`, with ANSI colours when `color` is set.
pub fn write(w: &mut dyn Write, out: &Outcome, color: bool) -> io::Result<()> {
    let (green, red, dim, reset) = if color {
        ("\x1b[32m", "\x1b[31m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    for (i, b) in out.blocks.iter().enumerate() {
        let text = b.text.replace('\n', " ⏎ ");
        let short: String = if text.chars().count() > 160 {
            let mut s: String = text.chars().take(157).collect();
            s.push_str("...");
            s
        } else {
            text
        };
        match &b.removed_by {
            None => writeln!(
                w,
                "{green}{i:>4} KEEP   {:<7}{reset} {short}",
                b.kind.label()
            )?,
            Some(rule) => writeln!(
                w,
                "{red}{i:>4} REMOVE {:<7}{reset} {dim}[{rule}] {short}{reset}",
                b.kind.label()
            )?,
        }
    }
    if out.blocks.is_empty() {
        writeln!(w, "(no blocks: the page was rejected before extraction)")?;
    }
    writeln!(w, "---")?;
    if let Some(site) = &out.site {
        writeln!(w, "site rules: [[sites]] {site}")?;
    }
    serde_json::to_writer_pretty(&mut *w, &out.record).map_err(io::Error::other)?;
    writeln!(w)
}

/// Write the explanation as one JSON object: `{"blocks": [{"text", "kind", "removed_by"}], "record": {...}}`.
pub fn write_json(w: &mut dyn Write, out: &Outcome) -> io::Result<()> {
    let blocks: Vec<serde_json::Value> = out
        .blocks
        .iter()
        .map(|b| {
            serde_json::json!({
                "text": b.text,
                "kind": b.kind.label(),
                "removed_by": b.removed_by.as_deref(),
            })
        })
        .collect();
    let features: serde_json::Map<String, serde_json::Value> = crate::quality::FEATURES
        .iter()
        .zip(&out.features)
        .map(|(k, v)| (k.to_string(), as_written(v)))
        .collect();
    let v = serde_json::json!({
        "blocks": blocks,
        "record": as_written(&out.record),
        "features": features,
        "site": out.site,
    });
    serde_json::to_writer(&mut *w, &v).map_err(io::Error::other)?;
    writeln!(w)
}

/// `x` as a JSON value with the numbers `run` writes: through `json!`, an `f32` such as
/// a confidence of 0.562 would widen to 0.5619999766349792.
fn as_written<T: serde::Serialize>(x: &T) -> serde_json::Value {
    serde_json::to_string(x)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(serde_json::Value::Null)
}
