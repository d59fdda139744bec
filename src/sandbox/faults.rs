//! Injected failures: a seeded draw per request decides, before anything is
//! applied, whether the request gets a fault instead of its answer.

use std::sync::{Mutex, PoisonError};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Keeps the fault draws apart from the user generator's draws for the same
/// seed, so changing one never shifts the other.
const FAULT_STREAM: u64 = 0x6661_756c_7473_2121;

/// What goes wrong with a faulted request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 503 with a plain-text body.
    ServiceUnavailable,
    /// HTTP 200 with RetCode 153.
    Throttled,
    /// The connection is closed without any response.
    DroppedConnection,
    /// HTTP 200 with a body that is not JSON.
    MalformedBody,
}

impl Fault {
    const ALL: [Fault; 4] = [
        Fault::ServiceUnavailable,
        Fault::Throttled,
        Fault::DroppedConnection,
        Fault::MalformedBody,
    ];
}

/// Decides which requests fail, reproducibly for a seed when requests arrive
/// one at a time.
#[derive(Debug)]
pub struct FaultInjector {
    rate: f64,
    rng: Mutex<StdRng>,
}

impl FaultInjector {
    /// `rate` must already be checked to lie in `0.0..=1.0`.
    pub fn new(rate: f64, seed: u64) -> Self {
        Self {
            rate,
            rng: Mutex::new(StdRng::seed_from_u64(seed ^ FAULT_STREAM)),
        }
    }

    /// The fault for the next request, if it gets one.
    pub fn next_fault(&self) -> Option<Fault> {
        if self.rate <= 0.0 {
            return None;
        }
        // A panic elsewhere cannot leave an RNG in a state worth refusing.
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        if !rng.random_bool(self.rate.min(1.0)) {
            return None;
        }
        Some(Fault::ALL[rng.random_range(0..Fault::ALL.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_zero_never_and_one_always() {
        let never = FaultInjector::new(0.0, 1);
        let always = FaultInjector::new(1.0, 1);

        assert!((0..1000).all(|_| never.next_fault().is_none()));
        let faults: Vec<Fault> = (0..1000).filter_map(|_| always.next_fault()).collect();
        assert_eq!(faults.len(), 1000);
        for kind in Fault::ALL {
            assert!(faults.contains(&kind), "{kind:?} never drawn");
        }
    }

    #[test]
    fn same_seed_same_faults() {
        let draw = |seed| {
            let injector = FaultInjector::new(0.5, seed);
            (0..200).map(|_| injector.next_fault()).collect::<Vec<_>>()
        };

        assert_eq!(draw(9), draw(9));
        assert_ne!(draw(9), draw(10));
    }
}
