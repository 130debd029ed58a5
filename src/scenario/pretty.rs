//! Indenting compact JSON text, the way `serde_json::to_string_pretty` does.
//!
//! A scenario is written compact for links and autosaves and indented for
//! files. Serialising it twice, once per formatter, would build its whole
//! serialiser twice into the page's wasm; indenting the compact text costs
//! one small loop instead. The output is byte for byte serde_json's pretty
//! form (two spaces, `": "`, empty containers as `[]` and `{}`), which the
//! tests check on every preset.

/// Indents `compact`, which must be JSON as serde_json writes it compactly
/// (no whitespace outside strings).
pub fn indent(compact: &str) -> String {
    let bytes = compact.as_bytes();
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        // Copy the run of plain text (a string, number or literal) so far.
        let punct = matches!(b, b'{' | b'[' | b'}' | b']' | b',' | b':');
        if !punct {
            in_string = b == b'"';
            continue;
        }
        out.push_str(&compact[start..i]);
        start = i + 1;
        match b {
            b'{' | b'[' => {
                out.push(b as char);
                if matches!(bytes.get(i + 1), Some(b'}' | b']')) {
                    continue;
                }
                depth += 1;
                newline(&mut out, depth);
            }
            b'}' | b']' => {
                if !(i > 0 && matches!(bytes[i - 1], b'{' | b'[')) {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(b as char);
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            _ => out.push_str(": "),
        }
    }
    out.push_str(&compact[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::indent;

    fn same_as_serde(v: &serde_json::Value) {
        let compact = serde_json::to_string(v).unwrap();
        assert_eq!(indent(&compact), serde_json::to_string_pretty(v).unwrap(), "{compact}");
    }

    #[test]
    fn indents_as_serde_json_does() {
        for text in [
            r#"{"a":[],"b":{},"c":[1,{"d":"x,y:{[]}\"\\"},[[]]],"e":null,"f":-1.5e-7}"#,
            r#"[]"#,
            r#"{}"#,
            r#""a string, with: [brackets]""#,
            r#"[{"k":[{}]},"\\",true]"#,
            r#"12"#,
        ] {
            same_as_serde(&serde_json::from_str(text).unwrap());
        }
    }

    #[test]
    fn every_preset_indents_as_serde_json_does() {
        for p in crate::scenario::presets::PRESETS {
            let s = p.scenario().unwrap();
            assert_eq!(s.to_json(), serde_json::to_string_pretty(&s).unwrap(), "{}", p.id);
        }
    }
}
