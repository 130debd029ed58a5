//! The bug zoo: every broken variant of every protocol in the registry,
//! each a scenario that runs it ([`Variant`], listed by its protocol's
//! [`Runnable::zoo`]), with what is wrong and which property catches it.
//! The Find a bug panel lists them; *find it yourself* loads one as a
//! mystery (its name and description say only that something is broken)
//! for a person to break by hand before asking the searcher. `zoo_bar` in
//! the search tests holds every one to the bar: found within 60 s of
//! native search and shrunk to at most 20 timeline actions.

use crate::contract::Runnable;
pub use crate::contract::Variant;
use crate::protocols::registry::{ForEach, ProtocolKind};
use crate::scenario::{Registered, Scenario};

/// Every protocol's variants, in the registry's order.
pub fn all() -> Vec<&'static Variant> {
    struct Zoo;
    impl ForEach for Zoo {
        type Output = &'static [Variant];
        fn call<P: Registered>(self) -> Self::Output {
            <P as Runnable>::zoo()
        }
    }
    ProtocolKind::ALL.iter().flat_map(|k| k.dispatch(Zoo)).collect()
}

impl Variant {
    /// The variant by its id.
    pub fn find(id: &str) -> Option<&'static Variant> {
        all().into_iter().find(|v| v.id == id)
    }

    /// The variant's scenario, named for what it is.
    pub fn scenario(&self) -> Scenario {
        let mut s = Scenario::from_json(self.json).expect("the zoo's scenarios are valid");
        s.name = format!("Bug zoo: {}", self.title);
        s.description = self.explanation.to_string();
        s
    }

    /// The variant a mystery's name names (`Mystery 3: …`), if it is one.
    pub fn of_mystery(name: &str) -> Option<&'static Variant> {
        let (number, _) = name.strip_prefix("Mystery ")?.split_once(':')?;
        let v = *all().get(number.parse::<usize>().ok()?.checked_sub(1)?)?;
        (v.mystery_name() == name).then_some(v)
    }

    fn mystery_name(&self) -> String {
        let number = all().iter().position(|v| v.id == self.id).map_or(0, |i| i + 1);
        format!("Mystery {number}: a {} cluster with a bug", self.protocol)
    }

    /// The scenario as a mystery: its name and description say only that
    /// something in this protocol is broken.
    pub fn mystery(&self) -> Scenario {
        let mut s = self.scenario();
        s.name = self.mystery_name();
        s.description = format!(
            "One rule of this {} cluster is broken. Crash, pause and isolate nodes, cut links and skew clocks \
             until a checker reports a violation; or open Find a bug and let the searcher try.",
            self.protocol
        );
        s
    }
}
