//! What a link's `#fragment` asks for, for either view.
//!
//! The same parse serves a page opened from a link and a link pasted into a
//! tab that is already open (`hashchange`), so every link works both ways.
//! Forms:
//! - `s=<payload>[&t=<µs>]`: a shared scenario, at a simulated instant;
//!   a gossip or SWIM scenario opens in the gossip view;
//! - `g=<payload>[&t=<µs>]`: the gossip view's old link format, migrated;
//! - `preset=<id>[&t=<µs>]`: a preset from `static/scenarios/`, in its view;
//! - `gossip=<id>[&t=<µs>]`: a gossip or SWIM preset (the older name);
//! - `compare=<example id | payload>[&t=<µs>][&c=<crc>]`: compare mode, on an
//!   example from `static/comparisons/` or a shared comparison;
//! - `seed=..&nodes=..&prevote=1&check_quorum=1&timeout=A-B&heartbeat=..[&t=<µs>]`:
//!   Raft settings.
//!
//! With `t=`, the run opens paused at that simulated instant, which is how
//! the browser tests start from a known state whatever the machine's speed.
//! `speed=` sets the playback speed in every form; `embed=1` shows only the
//! stage, the scrubber and a tour's card (for an iframe), and `step=N`
//! opens a tour at its step N (both read by the page, see `ui/tour.rs`). Nothing here panics: a bad
//! fragment becomes an error action, and the current run is kept.

use super::playground::{settings as draft, Gesture};
use super::swarm::{swarm_presets, SwarmGesture};
use crate::protocols::raft::MAX_NODES;
use crate::protocols::registry::{ProtocolKind, View};
use crate::scenario::{codec, presets, Runner, Scenario, MAX_DURATION_US};
use crate::sim::Time;

/// What to do with the fragment.
#[derive(Clone, Debug, PartialEq)]
pub enum Open {
    /// The fragment is empty.
    Nothing,
    /// Show the Raft view and apply these actions.
    Raft(Vec<Gesture>),
    /// Show the gossip view and apply these actions.
    Swarm(Vec<SwarmGesture>),
    /// Show the store view and apply these actions.
    Store(Vec<Gesture>),
    /// Show the board view and apply these actions (their scenario picks
    /// which of its protocols shows).
    Board(Vec<Gesture>),
    /// Open compare mode on this comparison (JSON), at an instant.
    Compare { text: String, at_us: Option<Time> },
    /// A link that cannot be opened: say why on the page that is open.
    Error(String),
}

fn pairs(hash: &str) -> impl Iterator<Item = (&str, &str)> {
    hash.trim_start_matches('#').split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, "")))
}

fn value<'a>(hash: &'a str, key: &str) -> Option<&'a str> {
    pairs(hash).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// The `t=` instant, if any, within the one-day limit.
fn instant(hash: &str) -> Result<Option<Time>, String> {
    let Some(v) = value(hash, "t") else { return Ok(None) };
    let t: Time = v.parse().map_err(|_| format!("t: '{v}' is not a whole number of microseconds"))?;
    if t > MAX_DURATION_US {
        return Err(format!("t: {t} µs is past the one-day limit"));
    }
    Ok(Some(t))
}

fn speed(hash: &str) -> Option<f64> {
    value(hash, "speed").and_then(|v| v.parse::<f64>().ok()).filter(|s| s.is_finite())
}

/// Parses a fragment (with or without the leading `#`).
pub fn parse(hash: &str) -> Open {
    let hash = hash.trim_start_matches('#');
    if hash.is_empty() {
        return Open::Nothing;
    }
    if let Some(v) = value(hash, "compare") {
        return compare(hash, v)
            .unwrap_or_else(|e| Open::Error(format!("This comparison link could not be opened: {e}.")));
    }
    // A shared run opens in the view of its protocol.
    if value(hash, "s").is_some() {
        if let Err(e) = codec::parse_fragment(hash) {
            return Open::Error(format!("This link could not be opened: {e}. Showing your last scenario instead."));
        }
    }
    let protocol = value(hash, "s")
        .and_then(|_| codec::parse_fragment(hash).ok().flatten())
        .map(|l| l.scenario.protocol.kind())
        .or_else(|| value(hash, "preset").and_then(presets::find).map(|p| p.protocol()));
    // The gossip view's own forms (`g=`, `gossip=`) name it; the rest open
    // in the view of their protocol, and settings in Raft's.
    let legacy_swarm = value(hash, "g").is_some() || value(hash, "gossip").is_some();
    let view = if legacy_swarm { View::Swarm } else { protocol.map_or(View::Raft, ProtocolKind::view) };
    match view {
        View::Raft => Open::Raft(raft(hash)),
        View::Store => Open::Store(raft(hash)),
        View::Board => Open::Board(raft(hash)),
        View::Swarm => match value(hash, "gossip").or(value(hash, "preset")) {
            Some(id) if value(hash, "s").is_none() && value(hash, "g").is_none() => Open::Swarm(swarm_preset(hash, id)),
            _ => {
                let mut out = vec![SwarmGesture::OpenLink(hash.to_string())];
                out.extend(speed(hash).map(SwarmGesture::SetSpeed));
                Open::Swarm(out)
            }
        },
    }
}

fn compare(hash: &str, v: &str) -> Result<Open, String> {
    if let Some(c) = value(hash, "c") {
        let body = hash.split("&c=").next().unwrap_or_default();
        if c != format!("{:08x}", codec::crc32(body.as_bytes())) {
            return Err(
                "it is damaged: its checksum does not match what it carries (was it changed or cut when copied?)"
                    .into(),
            );
        }
    }
    let text = super::compare::from_link(v)?;
    Ok(Open::Compare { text, at_us: instant(hash)? })
}

fn swarm_preset(hash: &str, id: &str) -> Vec<SwarmGesture> {
    let Some(p) = swarm_presets().find(|p| p.id == id) else {
        let known: Vec<&str> = swarm_presets().map(|p| p.id).collect();
        return vec![SwarmGesture::ShowError(format!(
            "This link asks for the gossip preset '{id}', which does not exist; the presets are {}.",
            known.join(", ")
        ))];
    };
    let mut out = vec![SwarmGesture::Preset(p.id)];
    out.extend(speed(hash).map(SwarmGesture::SetSpeed));
    match instant(hash) {
        Ok(Some(t)) => out.push(SwarmGesture::Advance(t)),
        Ok(None) => {}
        Err(e) => out.push(SwarmGesture::ShowError(format!("The link's time was not used: {e}."))),
    }
    out
}

fn raft(hash: &str) -> Vec<Gesture> {
    let mut out: Vec<Gesture> = speed(hash).map(Gesture::SetSpeed).into_iter().collect();
    if value(hash, "s").is_some() {
        match codec::parse_fragment(hash) {
            Ok(Some(link)) => out.push(Gesture::Load {
                scenario: Box::new(link.scenario),
                at_us: link.at_us,
                playing: link.at_us.is_none_or(|t| t == 0),
            }),
            Ok(None) => {}
            Err(e) => out.push(Gesture::ShowError(format!(
                "This link could not be opened: {e}. Showing your last scenario instead."
            ))),
        }
        return out;
    }
    let at = match instant(hash) {
        Ok(t) => t,
        Err(e) => {
            out.push(Gesture::ShowError(format!("The link's time was not used: {e}.")));
            None
        }
    };
    if let Some(id) = value(hash, "preset") {
        match presets::find(id) {
            Some(p) => out.push(Gesture::LoadPreset(p.id)),
            None => {
                let known: Vec<&str> = presets::PRESETS.iter().map(|p| p.id).collect();
                out.push(Gesture::ShowError(format!(
                    "This link asks for the preset '{id}', which does not exist; the presets are {}.",
                    known.join(", ")
                )));
                return out;
            }
        }
    } else {
        match settings(hash) {
            Ok(Some(s)) => out.push(Gesture::Load { scenario: Box::new(s), at_us: None, playing: true }),
            Ok(None) => {}
            Err(e) => out.push(Gesture::ShowError(format!(
                "The link's settings were not used: {e}. The current scenario is unchanged."
            ))),
        }
    }
    out.extend(at.map(Gesture::Advance));
    out
}

/// Old-style settings, over the playground's default scenario; `Ok(None)`
/// when the fragment names none.
fn settings(hash: &str) -> Result<Option<Scenario>, String> {
    let mut s = draft::playground();
    let mut any = false;
    for (k, v) in pairs(hash) {
        let num = |v: &str| v.parse::<f64>().map_err(|_| format!("{k}: '{v}' is not a number"));
        match k {
            "t" | "c" | "speed" | "panic-test" | "embed" | "step" => continue,
            "seed" => s.seed = v.parse().map_err(|_| format!("seed: '{v}' is not a whole number"))?,
            "nodes" => s.nodes = v.parse().map_err(|_| format!("nodes: '{v}' is not a whole number"))?,
            "prevote" => draft::raft(&mut s).prevote = v == "1",
            "check_quorum" => draft::raft(&mut s).check_quorum = v == "1",
            "heartbeat" => draft::raft(&mut s).heartbeat_ms = num(v)?,
            "timeout" => {
                let (a, b) = v.split_once('-').ok_or_else(|| format!("timeout: '{v}' is not A-B"))?;
                draft::raft(&mut s).election_timeout_ms = [num(a)?, num(b)?];
            }
            _ => {
                return Err(format!(
                    "unknown setting '{k}' (a link may carry s, g, preset, gossip, seed, nodes, prevote, check_quorum, timeout, heartbeat, t and speed)"
                ))
            }
        }
        any = true;
    }
    if !any {
        return Ok(None);
    }
    if !(3..=MAX_NODES).contains(&s.nodes) {
        return Err(format!("nodes must be 3 to {MAX_NODES}, not {}", s.nodes));
    }
    Runner::new(s.clone()).map_err(|e| e.to_string())?;
    Ok(Some(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_link_opens_its_view() {
        assert_eq!(parse(""), Open::Nothing);
        assert_eq!(parse("#"), Open::Nothing);
        let Open::Swarm(a) = parse("#gossip=rumor-k4&speed=4&t=3000000") else { panic!() };
        assert_eq!(
            a,
            vec![SwarmGesture::Preset("rumor-k4"), SwarmGesture::SetSpeed(4.0), SwarmGesture::Advance(3_000_000)]
        );
        assert!(
            matches!(parse("g=abc&t=5").clone(), Open::Swarm(a) if a[0] == SwarmGesture::OpenLink("g=abc&t=5".into()))
        );
        let Open::Raft(a) = parse("seed=2&t=1500000") else { panic!() };
        assert!(matches!(&a[..], [Gesture::Load { scenario, .. }, Gesture::Advance(1_500_000)] if scenario.seed == 2));
        let Open::Raft(a) = parse("preset=figure-8&t=1000") else { panic!() };
        assert_eq!(a, vec![Gesture::LoadPreset("figure-8"), Gesture::Advance(1000)]);
        // The store's presets and shared runs open on the store's page.
        let Open::Store(a) = parse("preset=store-siblings&t=1000") else { panic!() };
        assert_eq!(a, vec![Gesture::LoadPreset("store-siblings"), Gesture::Advance(1000)]);
        let mut s = crate::viewmodel::playground::settings::store();
        s.seed = 9;
        let fragment = codec::fragment(&s, 0);
        let Open::Store(a) = parse(&fragment) else { panic!("{fragment}") };
        assert!(matches!(&a[..], [Gesture::Load { scenario, .. }] if scenario.seed == 9));
    }

    #[test]
    fn a_link_to_a_board_protocol_opens_the_board_view() {
        let s = crate::scenario::presets::find("paxos-duel").unwrap().scenario().unwrap();
        let fragment = codec::fragment(&s, 50_000);
        let Open::Board(a) = parse(&fragment) else { panic!("{fragment}") };
        assert!(matches!(&a[..], [Gesture::Load { scenario, at_us: Some(50_000), .. }] if scenario.seed == 33));
        let Open::Board(a) = parse("#preset=paxos-backoff") else { panic!("a preset link") };
        assert!(matches!(&a[..], [Gesture::LoadPreset("paxos-backoff"), ..]), "{a:?}");
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        let error = |o: Open| match o {
            Open::Raft(a) => a.iter().find_map(|a| if let Gesture::ShowError(e) = a { Some(e.clone()) } else { None }),
            Open::Swarm(a) => {
                a.iter().find_map(|a| if let SwarmGesture::ShowError(e) = a { Some(e.clone()) } else { None })
            }
            Open::Store(a) | Open::Board(a) => {
                a.iter().find_map(|a| if let Gesture::ShowError(e) = a { Some(e.clone()) } else { None })
            }
            Open::Error(e) => Some(e),
            Open::Nothing | Open::Compare { .. } => None,
        };
        for (hash, needle) in [
            ("nodes=lots", "nodes: 'lots' is not a whole number"),
            ("nodes=40", "nodes must be 3 to 15"),
            ("gossip=nope", "gossip preset 'nope'"),
            ("preset=nope", "preset 'nope'"),
            ("seed=1&t=soon", "t: 'soon'"),
            ("seed=1&t=99999999999999", "one-day limit"),
            ("compare=nope", "neither an example"),
            ("compare=prevote&t=soon", "t: 'soon'"),
            ("colour=red", "unknown setting 'colour'"),
            ("s=not-a-link", "This link could not be opened"),
            ("preset=store-siblings&t=soon", "t: 'soon'"),
        ] {
            let e = error(parse(hash)).unwrap_or_default();
            assert!(e.contains(needle), "{hash}: {e}");
        }
    }
}
