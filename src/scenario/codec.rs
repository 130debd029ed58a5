//! Scenario links: a scenario as compact JSON, raw-deflated, base64url
//! encoded, in the URL fragment (`#s=<payload>&t=<sim µs>`).
//!
//! Decoding is defensive: the payload is capped at [`MAX_LINK_BYTES`], the
//! inflated JSON at [`MAX_JSON_BYTES`] (so no decompression bomb gets
//! through), and every failure says what is wrong in words a person can act
//! on. Nothing here panics on any input.

use super::{Scenario, ScenarioError, MAX_JSON_BYTES};
use crate::sim::Time;

/// The longest encoded payload a link may carry.
pub const MAX_LINK_BYTES: usize = 64 * 1024;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn err(msg: impl Into<String>) -> ScenarioError {
    ScenarioError::Link(msg.into())
}

/// base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub fn base64url_decode(text: &str) -> Result<Vec<u8>, ScenarioError> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (i, c) in text.bytes().enumerate() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => {
                let shown = text[i..].chars().next().unwrap_or('?');
                return Err(err(format!(
                    "the link is damaged: '{}' at position {i} is not a base64url character",
                    shown.escape_default()
                )));
            }
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if text.len() % 4 == 1 {
        return Err(err("the link is truncated: its last character is incomplete"));
    }
    Ok(out)
}

/// What a link carries for a scenario, before compression: compact JSON.
pub fn link_json(s: &Scenario) -> Vec<u8> {
    serde_json::to_vec(s).expect("a scenario always serialises")
}

/// The payload for a scenario. Natively only: the browser deflates with its
/// own `CompressionStream` (see `ui::browser::deflate_raw`), which keeps a
/// DEFLATE compressor out of the web bundle. Both write raw DEFLATE, so
/// either side opens the other's links.
#[cfg(not(target_arch = "wasm32"))]
pub fn encode(s: &Scenario) -> String {
    base64url_encode(&miniz_oxide::deflate::compress_to_vec(&link_json(s), 9))
}

/// The scenario in a payload, or what is wrong with it.
pub fn decode(payload: &str) -> Result<Scenario, ScenarioError> {
    let text = unpack(payload)?;
    Scenario::from_json(&text).map_err(|e| err(format!("the link's scenario is invalid: {e}")))
}

/// The text in a payload, within the caps, or what is wrong with it.
pub fn unpack(payload: &str) -> Result<String, ScenarioError> {
    if payload.is_empty() {
        return Err(err("the link has no scenario in it"));
    }
    if payload.len() > MAX_LINK_BYTES {
        return Err(err(format!(
            "the link's scenario is {} KB; links are limited to {} KB",
            payload.len() / 1024,
            MAX_LINK_BYTES / 1024
        )));
    }
    let packed = base64url_decode(payload)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON_BYTES).map_err(|e| {
        use miniz_oxide::inflate::TINFLStatus;
        match e.status {
            TINFLStatus::HasMoreOutput => err("the link's scenario is larger than 1 MB once unpacked; it was refused"),
            TINFLStatus::FailedCannotMakeProgress => {
                err("the link is truncated: its compressed data ends too soon (was it cut off when copied?)")
            }
            _ => err("the link is damaged: its compressed data is corrupt"),
        }
    })?;
    String::from_utf8(json).map_err(|_| err("the link is damaged: its scenario is not UTF-8 text"))
}

/// A URL fragment (without `#`) for a scenario seen at `at_us`.
#[cfg(not(target_arch = "wasm32"))]
pub fn fragment(s: &Scenario, at_us: Time) -> String {
    sealed(format!("s={}&t={at_us}", encode(s)))
}

/// A URL fragment from a payload already deflated (raw DEFLATE of
/// [`link_json`]), seen at `at_us`.
pub fn fragment_of(deflated: &[u8], at_us: Time) -> String {
    sealed(format!("s={}&t={at_us}", base64url_encode(deflated)))
}

/// A compare-mode fragment (`compare=…&t=…&c=…`) from a comparison's
/// JSON already deflated, seen at `at_us`.
pub fn compare_fragment_of(deflated: &[u8], at_us: Time) -> String {
    sealed(format!("compare={}&t={at_us}", base64url_encode(deflated)))
}

/// `s=…&t=…` with its checksum appended as `&c=<CRC-32, 8 hex digits>`, so
/// a link changed in transit (a character dropped or altered by a chat
/// client, a slide, a hand) is refused instead of opening another scenario.
/// Links made before the checksum (no `c=`) still open.
fn sealed(body: String) -> String {
    let c = crc32(body.as_bytes());
    format!("{body}&c={c:08x}")
}

/// CRC-32 (IEEE 802.3, as in zip and PNG), bit by bit: links are short.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// What an autosave holds: the scenario and where the run was.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Saved {
    pub scenario: Scenario,
    pub at_us: Time,
}

impl Saved {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a scenario always serialises")
    }

    /// A valid autosave, or `None` (an autosave that does not parse is
    /// ignored: the page opens as new).
    pub fn from_json(text: &str) -> Option<Saved> {
        // Through `Value`, as `Scenario::from_json` does, so the web build
        // carries one copy of the scenario's deserializers.
        let a = serde_json::from_str::<serde_json::Value>(text).and_then(serde_json::from_value::<Saved>).ok()?;
        (a.scenario.validate().is_ok() && a.at_us <= super::MAX_DURATION_US).then_some(a)
    }
}

/// What a fragment asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub scenario: Scenario,
    pub at_us: Option<Time>,
}

/// Parses `s=<payload>[&t=<µs>]`, a scenario of any protocol, or the
/// gossip view's old `g=<payload>[&t=<µs>]`, migrated (other keys are left
/// to the caller). Returns `Ok(None)` when the fragment carries no scenario.
pub fn parse_fragment(fragment: &str) -> Result<Option<Link>, ScenarioError> {
    let fragment = fragment.trim_start_matches('#');
    let mut payload = None;
    let mut legacy = None;
    let mut at_us = None;
    let mut time_text = None;
    let mut checksum = None;
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("s", v)) => payload = Some(v),
            Some(("c", v)) => checksum = Some(v),
            Some(("g", v)) => legacy = Some(v),
            Some(("t", v)) => {
                time_text = Some(v);
                at_us = Some(
                    v.parse::<Time>()
                        .map_err(|_| err(format!("the link's time t='{v}' is not a whole number of microseconds")))?,
                )
            }
            _ => {}
        }
    }
    if let (Some(p), Some(c)) = (payload, checksum) {
        let body = match time_text {
            Some(t) => format!("s={p}&t={t}"),
            None => format!("s={p}"),
        };
        if c != format!("{:08x}", crc32(body.as_bytes())) {
            return Err(err(
                "the link is damaged: its checksum does not match what it carries (was it changed or cut when copied?)",
            ));
        }
    }
    let scenario = match (payload, legacy) {
        (Some(p), _) => decode(p)?,
        (None, Some(g)) => super::legacy::migrate_gossip_link(&unpack(g)?)?,
        (None, None) => return Ok(None),
    };
    if let Some(t) = at_us {
        if t > super::MAX_DURATION_US {
            return Err(err("the link's time is past the one-day limit"));
        }
    }
    Ok(Some(Link { scenario, at_us }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37).wrapping_add(250)).collect();
            assert_eq!(base64url_decode(&base64url_encode(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn bad_links_name_their_problem() {
        let good = encode(&Scenario::raft(5, 9));
        assert_eq!(decode(&good).unwrap(), Scenario::raft(5, 9));
        let cases = [
            ("", "no scenario"),
            ("abc$def", "'$' at position 3"),
            (&good[..good.len() / 2], "truncated"),
            ("____", "damaged"),
        ];
        for (payload, needle) in cases {
            let e = decode(payload).unwrap_err().to_string();
            assert!(e.contains(needle), "{payload:?}: {e}");
        }
        let huge = "A".repeat(MAX_LINK_BYTES + 1);
        assert!(decode(&huge).unwrap_err().to_string().contains("limited to 64 KB"));
        // A decompression bomb: 4 MB of spaces packs into a few KB.
        let bomb = base64url_encode(&miniz_oxide::deflate::compress_to_vec(&vec![b' '; 4 << 20], 9));
        assert!(bomb.len() < MAX_LINK_BYTES);
        assert!(decode(&bomb).unwrap_err().to_string().contains("larger than 1 MB"));
        // A future version is refused by name.
        let mut json: serde_json::Value = serde_json::to_value(Scenario::raft(3, 1)).unwrap();
        json["version"] = 9.into();
        let v9 = base64url_encode(&miniz_oxide::deflate::compress_to_vec(json.to_string().as_bytes(), 9));
        assert!(decode(&v9).unwrap_err().to_string().contains("unsupported scenario version 9"));
    }

    #[test]
    fn fragments_carry_the_scenario_and_the_time() {
        let s = Scenario::raft(7, 42);
        let link = parse_fragment(&format!("#{}", fragment(&s, 1234))).unwrap().unwrap();
        assert_eq!(link, Link { scenario: s, at_us: Some(1234) });
        assert_eq!(parse_fragment("#seed=4").unwrap(), None);
        assert!(parse_fragment("#s=AAAA&t=soon").is_err());
    }
}
