//! Arbitrary event sequences against the router: no panic, and the whole
//! contract (`tests/common/invariants.rs`) after every event.
//!
//! The input's first two bytes pick the configuration (every option is on
//! in some), the next two the size of the centre; the rest drive the
//! simulated host of `tests/common/sim.rs`, two bytes per choice: events
//! aimed at live state, faults, bad input of every kind, and extreme
//! values (the end of time, the highest priority, capacities at the limit).
//! Every event is checked against a copy of the router from before it, so a
//! refused event must change nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use omnirouter::Router;

#[path = "../../tests/common/invariants.rs"]
mod invariants;
#[path = "../../tests/common/sim.rs"]
mod sim;

use sim::Source;

fuzz_target!(|data: &[u8]| {
    let mut src = sim::Bytes::new(data);
    let config = sim::config(src.next_u32());
    let mut router = Router::new(config.clone()).expect("every sim configuration is valid");
    let mut checker = invariants::Checker::new(&config);
    let mut host = sim::Sim::new(1 + src.below(8) as usize);
    host.extremes = true;
    while !src.is_empty() {
        let step = host.step(&mut src, &router);
        let before = router.clone();
        let result = router.handle(step.at, step.event.clone());
        if !checker.check(step.at, &step.event, &result, Some(&before), &router) {
            panic!("contract violated:\n{}", checker.messages.join("\n"));
        }
        host.learn(&step.event, &result);
    }
});
