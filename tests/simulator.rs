//! The what-if simulator of `examples/contact_centre`: its scenario parser,
//! every parser error, and KPIs checked against queueing theory.

#[allow(dead_code)]
#[path = "../examples/contact_centre/report.rs"]
mod report;
#[allow(dead_code)]
#[path = "../examples/contact_centre/scenario.rs"]
mod scenario;
#[allow(dead_code)]
#[path = "../examples/contact_centre/sim.rs"]
mod sim;
#[allow(dead_code)]
#[path = "../examples/support/split_mix.rs"]
mod split_mix;

use omnirouter::Strategy;
use scenario::{HandleTime, Scenario, SimpleCase, parse_json};
use serde_json::{Value, json};

fn parse(text: &str) -> Result<Scenario, String> {
    parse_json(text)
        .and_then(|value| Scenario::from_value(&value))
        .map_err(|e| e.to_string())
}

/// A small valid scenario that the error tests break one field at a time.
fn base() -> Value {
    json!({
        "hours": 4,
        "channels": [
            {
                "name": "sms",
                "arrivals_per_hour": 60,
                "handle_time": { "distribution": "exponential", "mean_secs": 120 }
            },
            {
                "name": "chat",
                "arrivals_per_hour": [30, 60],
                "handle_time": { "distribution": "log_normal", "mean_secs": 300, "cv": 0.5 },
                "patience_secs": 120
            }
        ],
        "agent_groups": [
            { "name": "a", "count": 2, "capacities": { "sms": 2 }, "skills": { "billing": 2 },
              "teams": ["tier2"] },
            { "name": "b", "count": 3, "capacities": { "sms": 1, "chat": 2 }, "skills": { "billing": 1 },
              "shift_end_hour": 3, "break_minutes": 15 }
        ],
        "skill_mix": [ { "skill": "billing", "level": 1, "share": 0.1 } ],
        "priority_mix": [ { "priority": 5, "share": 0.1 } ],
        "transfers": { "team": "tier2", "share": 0.1 },
        "supervisors": { "count": 1, "join_share": 0.1, "stay_secs": 60 }
    })
}

/// The error of `base()` with the value at `pointer` replaced (or removed,
/// for `None`); a last key of `-` appends to a list.
fn error_with(pointer: &str, value: Option<Value>) -> String {
    let mut scenario = base();
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    let parent = scenario
        .pointer_mut(parent)
        .expect("the parent exists in base()");
    match (parent, value) {
        (Value::Object(map), Some(v)) => {
            map.insert(key.to_owned(), v);
        }
        (Value::Object(map), None) => {
            map.remove(key);
        }
        (Value::Array(items), Some(v)) if key == "-" => items.push(v),
        (Value::Array(items), Some(v)) => items[key.parse::<usize>().expect("an index")] = v,
        (Value::Array(items), None) => {
            items.remove(key.parse::<usize>().expect("an index"));
        }
        _ => panic!("{pointer} is not in an object or a list"),
    }
    match Scenario::from_value(&scenario) {
        Ok(_) => panic!("{pointer} = {scenario} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn base_scenario_parses_with_defaults() {
    let s = Scenario::from_value(&base()).expect("base() is valid");
    assert_eq!(s.hours, 4);
    assert_eq!((s.opens_minute, s.warm_up_minutes), (0, 60.0));
    assert_eq!((s.service_level_secs, s.seed), (20.0, 1));
    assert_eq!(s.strategy, Strategy::LeastLoaded);
    assert_eq!(s.channels[0].arrivals_per_hour, vec![60.0]);
    assert_eq!(
        s.channels[1].handle_time,
        HandleTime::LogNormal {
            mean_secs: 300.0,
            cv: 0.5
        }
    );
    assert_eq!(s.channels[0].patience_secs, None);
    assert_eq!(s.channels[1].patience_secs, Some(120.0));
    let b = &s.agent_groups[1];
    assert_eq!(b.capacities, vec![(1, 2), (0, 1)], "channel indices");
    assert_eq!((b.shift_start_hour, b.shift_end_hour), (0.0, 3.0));
    assert_eq!(b.break_minutes, Some(15.0));
    assert_eq!(s.agent_groups[0].shift_end_hour, 4.0, "defaults to closing");
    assert_eq!(s.agent_count(), 5);
    assert_eq!(s.skill_names(), vec!["billing".to_owned()]);
    assert_eq!(s.priority_mix[0].priority, 5);
    assert_eq!(s.team_names(), vec!["tier2".to_owned()]);
    assert_eq!(s.agent_groups[1].teams, Vec::<String>::new());
    let transfers = s.transfers.as_ref().expect("transfers");
    assert_eq!((transfers.team.as_str(), transfers.share), ("tier2", 0.1));
    let supervisors = s.supervisors.expect("supervisors");
    assert_eq!(
        (
            supervisors.count,
            supervisors.join_share,
            supervisors.stay_secs
        ),
        (1, 0.1, 60.0)
    );
}

/// The commented example at the top of scenario.rs is a valid scenario.
#[test]
fn documented_example_parses() {
    let source = include_str!("../examples/contact_centre/scenario.rs");
    let example: String = source
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .skip_while(|line| line.trim() != "```json")
        .skip(1)
        .take_while(|line| line.trim() != "```")
        .map(|line| line.split(" //").next().unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let s = parse(&example).unwrap_or_else(|e| panic!("{e}\n{example}"));
    assert_eq!((s.hours, s.opens_minute, s.seed), (12, 8 * 60, 2026));
    assert_eq!(s.agent_groups[0].break_minutes, Some(20.0));
    assert_eq!(s.priority_mix[0].priority, 5);
}

#[test]
fn weekday_scenario_file_parses() {
    let text = include_str!("../examples/scenarios/weekday.json");
    let s = parse(text).expect("the shipped scenario is valid");
    assert_eq!((s.hours, s.opens_minute, s.seed), (12, 8 * 60, 2026));
    assert_eq!(s.channels.len(), 5);
    assert_eq!(s.agent_count(), 60);
    assert_eq!(s.clock(12.0 * 60.0), "20:00");
    assert!(s.channels.iter().all(|c| c.arrivals_per_hour.len() == 12));
}

#[test]
fn flags_make_one_channel_one_group_exponential_no_abandonment() {
    let case = SimpleCase {
        agents: 7,
        capacity: 2,
        arrivals_per_hour: 90.0,
        mean_handle_secs: 240.0,
        hours: 5,
        seed: 9,
        service_level_secs: 30.0,
        warm_up_minutes: 30.0,
    };
    let s = case.scenario().expect("valid flags");
    assert_eq!((s.hours, s.seed, s.service_level_secs), (5, 9, 30.0));
    assert_eq!(s.channels.len(), 1);
    assert_eq!(
        s.channels[0].handle_time,
        HandleTime::Exponential { mean_secs: 240.0 }
    );
    assert_eq!(s.channels[0].patience_secs, None);
    assert_eq!(s.agent_groups.len(), 1);
    assert_eq!(s.agent_groups[0].count, 7);
    assert_eq!(s.agent_groups[0].capacities, vec![(0, 2)]);
    assert!(s.skill_mix.is_empty() && s.priority_mix.is_empty());
}

#[test]
fn strategies_and_clock_parse() {
    for (name, strategy) in [
        ("least_loaded", Strategy::LeastLoaded),
        ("least_loaded_on_channel", Strategy::LeastLoadedOnChannel),
        ("longest_idle", Strategy::LongestIdle),
        ("round_robin", Strategy::RoundRobin),
    ] {
        let mut v = base();
        v["strategy"] = json!(name);
        v["opens"] = json!("07:30");
        let s = Scenario::from_value(&v).expect("valid");
        assert_eq!(s.strategy, strategy);
        assert_eq!(s.clock(45.0), "08:15");
    }
}

#[test]
fn syntax_errors_and_wrong_shapes_are_reported() {
    assert!(
        parse("{ \"hours\": 4, }")
            .unwrap_err()
            .starts_with("not valid JSON: trailing comma at line 1")
    );
    assert_eq!(
        parse("[1, 2]").unwrap_err(),
        "expected an object, got a list"
    );
}

/// Every check of the parser, each naming its field.
#[test]
fn every_error_names_its_field() {
    #[rustfmt::skip]
    let cases: Vec<(&str, Option<Value>, &str)> = vec![
        // The top level.
        ("/hourz", Some(json!(4)), "hourz: unknown field; expected one of: hours, opens, warm_up_minutes, service_level_secs, seed, strategy, channels, agent_groups, skill_mix, priority_mix, transfers, supervisors"),
        ("/hours", None, "hours: missing"),
        ("/hours", Some(json!(0)), "hours: must be a whole number 1..=10000, got 0"),
        ("/hours", Some(json!(1.5)), "hours: must be a whole number 1..=10000, got 1.5"),
        ("/hours", Some(json!("4")), "hours: expected a whole number, got \"4\""),
        ("/opens", Some(json!("8am")), "opens: must be a time like \"08:00\", got \"8am\""),
        ("/opens", Some(json!("24:00")), "opens: must be a time like \"08:00\", got \"24:00\""),
        ("/opens", Some(json!(8)), "opens: expected a string, got 8"),
        ("/warm_up_minutes", Some(json!(240)), "warm_up_minutes: must be at least 0 and less than the 240 minutes of arrivals, got 240"),
        ("/warm_up_minutes", Some(json!(-1)), "warm_up_minutes: must be at least 0 and less than the 240 minutes of arrivals, got -1"),
        ("/warm_up_minutes", Some(json!(null)), "warm_up_minutes: expected a number, got null"),
        ("/service_level_secs", Some(json!(-5)), "service_level_secs: must be 0..=10000000, got -5"),
        ("/seed", Some(json!(-1)), "seed: must be a whole number 0..=18446744073709551615, got -1"),
        ("/strategy", Some(json!("fastest")), "strategy: unknown strategy \"fastest\"; expected least_loaded, least_loaded_on_channel, longest_idle or round_robin"),
        // Channels.
        ("/channels", Some(json!({})), "channels: expected a list, got an object"),
        ("/channels", Some(json!([])), "channels: needs at least one channel"),
        ("/channels", None, "channels: missing"),
        ("/channels/1", Some(json!("chat")), "channels[1]: expected an object, got \"chat\""),
        ("/channels/1/name", Some(json!("")), "channels[1].name: must not be empty"),
        ("/channels/1/name", Some(json!("sms")), "channels[1].name: \"sms\" is named twice"),
        ("/channels/1/colour", Some(json!("red")), "channels[1].colour: unknown field; expected one of: name, arrivals_per_hour, handle_time, patience_secs"),
        ("/channels/0/arrivals_per_hour", None, "channels[0].arrivals_per_hour: missing"),
        ("/channels/0/arrivals_per_hour", Some(json!(-3)), "channels[0].arrivals_per_hour: must be 0..=10000000, got -3"),
        ("/channels/0/arrivals_per_hour", Some(json!([])), "channels[0].arrivals_per_hour: needs at least one hourly rate"),
        ("/channels/1/arrivals_per_hour/1", Some(json!("many")), "channels[1].arrivals_per_hour[1]: expected a number, got \"many\""),
        ("/channels/0/handle_time", None, "channels[0].handle_time: missing"),
        ("/channels/0/handle_time/mean_secs", None, "channels[0].handle_time.mean_secs: missing"),
        ("/channels/0/handle_time/mean_secs", Some(json!(0)), "channels[0].handle_time.mean_secs: must be more than 0 and at most 10000000, got 0"),
        ("/channels/0/handle_time/distribution", Some(json!("normal")), "channels[0].handle_time.distribution: unknown distribution \"normal\"; expected exponential or log_normal"),
        ("/channels/0/handle_time/distribution", None, "channels[0].handle_time.distribution: missing"),
        ("/channels/0/handle_time/cv", Some(json!(0.5)), "channels[0].handle_time.cv: only a log_normal distribution takes a cv"),
        ("/channels/1/handle_time/cv", Some(json!(0)), "channels[1].handle_time.cv: must be more than 0 and at most 100, got 0"),
        ("/channels/1/patience_secs", Some(json!(0)), "channels[1].patience_secs: must be more than 0 and at most 10000000, got 0"),
        // Agent groups.
        ("/agent_groups", Some(json!([])), "agent_groups: needs at least one group"),
        ("/agent_groups", None, "agent_groups: missing"),
        ("/agent_groups/1/name", Some(json!("a")), "agent_groups[1].name: \"a\" is named twice"),
        ("/agent_groups/1/name", None, "agent_groups[1].name: missing"),
        ("/agent_groups/1/count", Some(json!(0)), "agent_groups[1].count: must be a whole number 1..=10000, got 0"),
        ("/agent_groups/1/capacities/sms", Some(json!(0)), "agent_groups[1].capacities.sms: must be a whole number 1..=1000, got 0"),
        ("/agent_groups/1/capacities/sms", Some(json!("two")), "agent_groups[1].capacities.sms: expected a whole number, got \"two\""),
        ("/agent_groups/1/capacities/fax", Some(json!(1)), "agent_groups[1].capacities.fax: no such channel; the channels are sms, chat"),
        ("/agent_groups/0/capacities", Some(json!({})), "agent_groups[0].capacities: needs at least one channel"),
        ("/agent_groups/0/capacities", Some(json!([2])), "agent_groups[0].capacities: expected an object, got a list"),
        ("/agent_groups/0/skills/billing", Some(json!(0)), "agent_groups[0].skills.billing: must be a whole number 1..=255, got 0"),
        ("/agent_groups/0/skills/", Some(json!(2)), "agent_groups[0].skills.: a skill needs a name"),
        ("/agent_groups/1/shift_start_hour", Some(json!(4)), "agent_groups[1].shift_start_hour: must be at least 0 and less than hours (4), got 4"),
        ("/agent_groups/1/shift_end_hour", Some(json!(0)), "agent_groups[1].shift_end_hour: must be after shift_start_hour (0) and at most hours (4), got 0"),
        ("/agent_groups/1/shift_end_hour", Some(json!(5)), "agent_groups[1].shift_end_hour: must be after shift_start_hour (0) and at most hours (4), got 5"),
        ("/agent_groups/1/break_minutes", Some(json!(91)), "agent_groups[1].break_minutes: must be at most half the shift (90 minutes), got 91"),
        ("/agent_groups/1/team", Some(json!("x")), "agent_groups[1].team: unknown field; expected one of: name, count, capacities, skills, shift_start_hour, shift_end_hour, break_minutes, teams"),
        ("/agent_groups/0/teams", Some(json!("tier2")), "agent_groups[0].teams: expected a list, got \"tier2\""),
        ("/agent_groups/0/teams", Some(json!(["tier2", "tier2"])), "agent_groups[0].teams[1]: \"tier2\" is named twice"),
        ("/agent_groups/0/teams", Some(json!([""])), "agent_groups[0].teams[0]: must not be empty"),
        ("/agent_groups/1/capacities", Some(json!({ "sms": 1 })), "channels[1].name: no agent group serves \"chat\"; give some group a capacity on it"),
        // Mixes.
        ("/skill_mix/0/skill", Some(json!("french")), "skill_mix[0].skill: no agent group has skill \"french\""),
        ("/skill_mix/0/level", Some(json!(3)), "skill_mix[0]: no agent group serves sms with billing at level 3 or more; those customers could never be answered"),
        ("/skill_mix/0/share", Some(json!(1.5)), "skill_mix[0].share: must be 0..=1, got 1.5"),
        ("/skill_mix/-", Some(json!({ "skill": "billing", "level": 1, "share": 0.95 })), "skill_mix: shares add up to 1.05, more than 1"),
        ("/skill_mix/0/label", Some(json!(1)), "skill_mix[0].label: unknown field; expected one of: skill, level, share"),
        ("/priority_mix/0/priority", Some(json!(-1)), "priority_mix[0].priority: must be a whole number 0..=1000000, got -1"),
        ("/priority_mix/0/share", None, "priority_mix[0].share: missing"),
        ("/priority_mix/-", Some(json!({ "priority": 1, "share": 0.95 })), "priority_mix: shares add up to 1.05, more than 1"),
        ("/priority_mix", Some(json!(5)), "priority_mix: expected a list, got 5"),
        // Transfers and supervisors.
        ("/transfers/team", Some(json!("tier3")), "transfers.team: no agent group is in team \"tier3\""),
        ("/transfers/team", None, "transfers.team: missing"),
        ("/transfers/share", Some(json!(2)), "transfers.share: must be 0..=1, got 2"),
        ("/transfers/to", Some(json!("x")), "transfers.to: unknown field; expected one of: team, share"),
        ("/supervisors/count", Some(json!(0)), "supervisors.count: must be a whole number 1..=1000, got 0"),
        ("/supervisors/join_share", Some(json!(-0.5)), "supervisors.join_share: must be 0..=1, got -0.5"),
        ("/supervisors/stay_secs", Some(json!(0)), "supervisors.stay_secs: must be more than 0 and at most 10000000, got 0"),
        ("/supervisors/boss", Some(json!(1)), "supervisors.boss: unknown field; expected one of: count, join_share, stay_secs"),
    ];
    let mut failures = Vec::new();
    for (pointer, value, expected) in cases {
        let got = error_with(pointer, value);
        if got != expected {
            failures.push(format!(
                "{pointer}\n  expected: {expected}\n  got:      {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// P(wait) in an M/M/N queue with offered load `a` Erlangs (Erlang C).
fn erlang_c(n: u32, a: f64) -> f64 {
    // A^k / k!, summed for k < n, built term by term.
    let mut term = 1.0;
    let mut below = 0.0;
    for k in 0..n {
        below += term;
        term *= a / f64::from(k + 1);
    }
    let top = term * f64::from(n) / (f64::from(n) - a);
    top / (below + top)
}

/// Runs the flags case and returns its overall summary.
fn run_simple(case: SimpleCase) -> sim::Summary {
    let scenario = case.scenario().expect("valid flags");
    let outcome = sim::run(&scenario).expect("the router accepts every event");
    outcome.overall().summary()
}

/// The simulator and router together reproduce the Erlang C formula:
/// one channel, capacity 1, Poisson arrivals, exponential handle times,
/// no abandonment, FIFO (one priority).
#[test]
fn erlang_c_agrees_with_the_simulation() {
    let (agents, per_hour, handle_secs, threshold) = (5, 48.0, 300.0, 20.0);
    let load = per_hour * handle_secs / 3600.0; // 4 Erlangs on 5 agents
    let p_wait = erlang_c(agents, load);
    let n_minus_a = f64::from(agents) - load;
    let service_level = 1.0 - p_wait * (-n_minus_a * threshold / handle_secs).exp();
    let asa_secs = p_wait * handle_secs / n_minus_a;
    let s = run_simple(SimpleCase {
        agents,
        capacity: 1,
        arrivals_per_hour: per_hour,
        mean_handle_secs: handle_secs,
        hours: 2_000,
        seed: 11,
        service_level_secs: threshold,
        warm_up_minutes: 60.0,
    });
    println!(
        "Erlang C, N={agents}, A={load}: p_wait {p_wait:.4} vs {:.4}, SL({threshold}s) {service_level:.4} vs {:.4}, \
         ASA {asa_secs:.1}s vs {:.1}s, occupancy {:.4} vs {:.4} ({} offered)",
        s.p_wait,
        s.service_level,
        s.asa_secs,
        load / f64::from(agents),
        s.occupancy,
        s.offered
    );
    assert_eq!(s.abandoned, 0);
    assert_eq!(s.answered, s.offered);
    assert!((s.p_wait - p_wait).abs() < 0.03, "p_wait");
    assert!(
        (s.service_level - service_level).abs() < 0.03,
        "service level"
    );
    assert!((s.asa_secs - asa_secs).abs() < 0.1 * asa_secs, "ASA");
    assert!((s.occupancy - 0.8).abs() < 0.02, "occupancy");
}

/// An agent taking K conversations at once is K servers: 2 agents of
/// capacity 3 queue like 6 agents of capacity 1.
#[test]
fn capacity_k_queues_like_k_servers() {
    let (per_hour, handle_secs) = (60.0, 300.0);
    let p_wait = erlang_c(6, per_hour * handle_secs / 3600.0);
    let s = run_simple(SimpleCase {
        agents: 2,
        capacity: 3,
        arrivals_per_hour: per_hour,
        mean_handle_secs: handle_secs,
        hours: 1_000,
        seed: 5,
        service_level_secs: 20.0,
        warm_up_minutes: 60.0,
    });
    println!("Erlang C, N=6, A=5: p_wait {p_wait:.4} vs {:.4}", s.p_wait);
    assert!((s.p_wait - p_wait).abs() < 0.04, "p_wait");
}

/// The router keeps live statistics of its own (reset at the end of the
/// warm-up); they agree with the simulation's count. Only customers who
/// arrived in the warm-up and were answered or gave up after it may
/// differ.
#[test]
fn router_statistics_agree_with_the_simulation() {
    let text = include_str!("../examples/scenarios/weekday.json");
    let scenario = parse(text).expect("valid");
    let outcome = sim::run(&scenario).expect("runs");
    for ((channel, kpi), stats) in scenario
        .channels
        .iter()
        .zip(&outcome.kpis)
        .zip(&outcome.router_stats)
    {
        let (ours, router) = (kpi.summary(), stats.queue);
        let name = &channel.name;
        assert!(
            ours.answered.abs_diff(router.answered) <= 20,
            "{name} answered"
        );
        assert!(
            ours.abandoned.abs_diff(router.abandoned) <= 20,
            "{name} abandoned"
        );
        let router_sl = router.service_level.expect("some answered");
        assert!((ours.service_level - router_sl).abs() < 0.01, "{name} SL");
        let router_asa = router.average_wait.expect("some answered").0 as f64 / 1000.0;
        assert!(
            (ours.asa_secs - router_asa).abs() < 0.05 * ours.asa_secs + 0.5,
            "{name} ASA"
        );
        assert_eq!(router.waiting, 0, "{name}: nobody waits at the end");
    }
}

#[test]
fn warm_up_arrivals_are_not_counted() {
    let case = SimpleCase {
        agents: 30,
        arrivals_per_hour: 600.0,
        hours: 10,
        warm_up_minutes: 240.0,
        ..SimpleCase::default()
    };
    let s = run_simple(case);
    // 6 counted hours of 600 an hour: 3,600 expected, sd 60.
    assert!((3_300..=3_900).contains(&s.offered), "{}", s.offered);
    let all = run_simple(SimpleCase {
        warm_up_minutes: 0.0,
        ..case
    });
    assert!((5_600..=6_400).contains(&all.offered), "{}", all.offered);
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let text = include_str!("../examples/scenarios/weekday.json");
    let scenario = parse(text).expect("valid");
    let first = sim::run(&scenario).expect("runs");
    let second = sim::run(&scenario).expect("runs");
    assert_eq!(first, second);
    let mut other = scenario.clone();
    other.seed += 1;
    assert_ne!(sim::run(&other).expect("runs").kpis, first.kpis);
}

#[test]
fn the_built_in_day_accounts_for_every_customer() {
    let text = include_str!("../examples/scenarios/weekday.json");
    let scenario = parse(text).expect("valid");
    let outcome = sim::run(&scenario).expect("runs");
    assert_eq!(outcome.unanswered, 0);
    // Transfers to the specialists and supervisors joining happen, and
    // every transferred customer is still answered exactly once.
    assert!(outcome.transfers > 100, "{} transfers", outcome.transfers);
    assert!(outcome.joins > 100, "{} joins", outcome.joins);
    for (channel, kpi) in scenario.channels.iter().zip(&outcome.kpis) {
        let s = kpi.summary();
        assert_eq!(s.offered, s.answered + s.abandoned, "{}", channel.name);
        assert!(s.abandoned > 0, "{} has patience", channel.name);
        assert!((0.0..=1.0).contains(&s.occupancy), "{}", channel.name);
        assert!((0.0..=1.0).contains(&s.service_level), "{}", channel.name);
    }
}

/// With agents enough that nobody waits, busy slot-time is arrivals times
/// the mean handle time, for both distributions.
#[test]
fn handle_times_have_their_mean() {
    for handle in [
        json!({ "distribution": "exponential", "mean_secs": 600 }),
        json!({ "distribution": "log_normal", "mean_secs": 600, "cv": 1.5 }),
    ] {
        let scenario = Scenario::from_value(&json!({
            "hours": 200,
            "warm_up_minutes": 0,
            "channels": [{ "name": "sms", "arrivals_per_hour": 30, "handle_time": handle }],
            "agent_groups": [{ "name": "a", "count": 40, "capacities": { "sms": 1 } }],
        }))
        .expect("valid");
        let outcome = sim::run(&scenario).expect("runs");
        let s = outcome.overall().summary();
        assert_eq!(s.p_wait, 0.0, "40 agents for 5 Erlangs never queue");
        let busy_hours = outcome.kpis[0].busy_slot_ms / 3_600_000.0;
        let mean_secs = busy_hours * 3600.0 / s.offered as f64;
        assert!(
            (mean_secs - 600.0).abs() < 30.0,
            "{handle}: mean {mean_secs}"
        );
    }
}

#[test]
fn impatient_customers_abandon() {
    let mut v = base();
    v["channels"][1]["patience_secs"] = json!(10);
    v["hours"] = json!(40);
    let scenario = Scenario::from_value(&v).expect("valid");
    let outcome = sim::run(&scenario).expect("runs");
    let chat = outcome.kpis[1].summary();
    assert!(chat.abandoned > 0);
    assert_eq!(chat.offered, chat.answered + chat.abandoned);
    assert!(
        chat.asa_secs < 10.0 + 1e-9,
        "answered waits are at most the patience"
    );
    assert_eq!(outcome.kpis[0].abandoned, 0, "sms customers never give up");
}

#[test]
fn customers_left_without_agents_are_unanswered() {
    let scenario = Scenario::from_value(&json!({
        "hours": 3,
        "warm_up_minutes": 0,
        "channels": [{ "name": "sms", "arrivals_per_hour": 60,
                       "handle_time": { "distribution": "exponential", "mean_secs": 60 } }],
        "agent_groups": [{ "name": "a", "count": 1, "capacities": { "sms": 1 },
                           "shift_end_hour": 1 }],
    }))
    .expect("valid");
    let outcome = sim::run(&scenario).expect("runs");
    let s = outcome.overall().summary();
    assert!(outcome.unanswered > 60, "{}", outcome.unanswered);
    assert_eq!(s.offered, s.answered + s.abandoned + outcome.unanswered);
}

#[test]
fn json_summary_has_every_kpi_per_channel_and_overall() {
    let scenario = Scenario::from_value(&base()).expect("valid");
    let outcome = sim::run(&scenario).expect("runs");
    let summary = report::json(&scenario, &outcome);
    let keys = [
        "offered",
        "answered",
        "abandoned",
        "p_wait",
        "asa_secs",
        "service_level",
        "occupancy",
    ];
    for entry in [
        &summary["channels"][0],
        &summary["channels"][1],
        &summary["overall"],
    ] {
        for key in keys {
            assert!(entry[key].is_number(), "{key} in {entry}");
        }
    }
    assert_eq!(summary["channels"][1]["channel"], "chat");
    assert_eq!(summary["agents"], 5);
}

#[test]
fn table_and_picture_show_every_channel() {
    let scenario = Scenario::from_value(&base()).expect("valid");
    let outcome = sim::run(&scenario).expect("runs");
    let table = report::table(&scenario, &outcome);
    for name in ["sms ", "chat ", "all ", "SL 20s"] {
        assert!(table.contains(name), "{name} in\n{table}");
    }
    let svg = report::svg(&scenario, &outcome);
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
    assert_eq!(
        svg.matches("<polyline").count(),
        2 * 3,
        "busy, available and waiting"
    );
    assert!(svg.contains(">sms</text>") && svg.contains(">chat</text>"));
}
