//! A what-if simulator of a contact centre, with every assignment decided
//! by the `Router`.
//!
//! "With this staffing and these rules, what service level do we get?"
//! A seeded, event-driven simulation runs a day (or any number of hours) of
//! customers arriving on each channel, agents on shifts and breaks handling
//! them, and customers giving up while they wait. The simulation only
//! decides *when* things happen; the router decides who gets what.
//!
//! ```sh
//! # the built-in day (examples/scenarios/weekday.json): 08:00-20:00, five channels
//! cargo run --release --example contact_centre
//! # a scenario file of your own (see scenario.rs for every field)
//! cargo run --release --example contact_centre -- my-centre.json --svg day.svg
//! # the simplest case from flags: one channel, exponential handle times
//! cargo run --release --example contact_centre -- --agents 12 --capacity 1 \
//!     --arrivals-per-hour 120 --mean-handle-secs 300 --hours 8 --seed 7 \
//!     --service-level-secs 20 --json
//! ```
//!
//! The first `warm_up_minutes` (60 by default) are not counted: customers
//! who arrive then are served but not in the KPIs.

mod report;
mod scenario;
mod sim;
#[allow(dead_code)] // `below` is the benches' and the scale example's
#[path = "../support/split_mix.rs"]
mod split_mix;

use std::process::ExitCode;

use scenario::{Scenario, SimpleCase};

/// The built-in day.
const WEEKDAY: &str = include_str!("../scenarios/weekday.json");

const USAGE: &str = "\
usage: contact_centre [SCENARIO.json] [options]
       contact_centre --agents N --capacity K --arrivals-per-hour X \\
                      --mean-handle-secs Y --hours H [options]

Without a scenario file or scenario flags, runs the built-in day
(examples/scenarios/weekday.json).

scenario flags (one channel, exponential handle times, no abandonment):
  --agents N               agents (10)
  --capacity K             conversations each agent takes at once (1)
  --arrivals-per-hour X    Poisson arrival rate (100)
  --mean-handle-secs Y     mean handle time (300)
  --hours H                hours of arrivals (8)
options:
  --seed S                 random seed (the scenario's, or 1)
  --service-level-secs T   service level threshold (the scenario's, or 20)
  --warm-up-mins W         minutes not counted at the start (the scenario's, or 60)
  --json                   print one JSON summary instead of the table
  --svg FILE               draw queue and busy agents over time to FILE
  --help                   this text";

/// The scenario field each flag of the simplest case sets.
const FLAG_FIELDS: [(&str, &str); 8] = [
    ("--agents", "agent_groups[0].count"),
    ("--capacity", "agent_groups[0].capacities.main"),
    ("--arrivals-per-hour", "channels[0].arrivals_per_hour"),
    ("--mean-handle-secs", "channels[0].handle_time.mean_secs"),
    ("--hours", "hours"),
    ("--seed", "seed"),
    ("--service-level-secs", "service_level_secs"),
    ("--warm-up-mins", "warm_up_minutes"),
];

/// What the command line asks for.
#[derive(Default)]
struct Args {
    file: Option<String>,
    simple: Option<SimpleCase>,
    seed: Option<u64>,
    service_level_secs: Option<f64>,
    warm_up_minutes: Option<f64>,
    json: bool,
    svg: Option<String>,
    help: bool,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args(std::env::args().skip(1))?;
    if args.help {
        println!("{USAGE}");
        return Ok(());
    }
    let scenario = load(&args)?;
    let outcome = sim::run(&scenario).map_err(|e| e.to_string())?;
    if let Some(path) = &args.svg {
        std::fs::write(path, report::svg(&scenario, &outcome))
            .map_err(|e| format!("cannot write {path}: {e}"))?;
        eprintln!("wrote {path}");
    }
    if args.json {
        println!("{:#}", report::json(&scenario, &outcome));
    } else {
        print!("{}", report::table(&scenario, &outcome));
    }
    Ok(())
}

/// The scenario the arguments describe, with the overrides applied.
fn load(args: &Args) -> Result<Scenario, String> {
    if let Some(mut case) = args.simple {
        case.seed = args.seed.unwrap_or(case.seed);
        case.service_level_secs = args.service_level_secs.unwrap_or(case.service_level_secs);
        case.warm_up_minutes = args.warm_up_minutes.unwrap_or(case.warm_up_minutes);
        return case.scenario().map_err(|e| {
            match FLAG_FIELDS.iter().find(|(_, field)| *field == e.field) {
                Some((flag, _)) => format!("{flag}: {}", e.message),
                None => format!("in the scenario the flags describe: {e}"),
            }
        });
    }
    let (name, text) = match &args.file {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            (path.as_str(), text)
        }
        None => ("the built-in day", WEEKDAY.to_owned()),
    };
    let mut value = scenario::parse_json(&text).map_err(|e| format!("{name}: {e}"))?;
    if let Some(object) = value.as_object_mut() {
        if let Some(seed) = args.seed {
            object.insert("seed".into(), seed.into());
        }
        if let Some(secs) = args.service_level_secs {
            object.insert("service_level_secs".into(), secs.into());
        }
        if let Some(minutes) = args.warm_up_minutes {
            object.insert("warm_up_minutes".into(), minutes.into());
        }
    }
    Scenario::from_value(&value).map_err(|e| format!("{name}: {e}"))
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    let mut simple = SimpleCase::default();
    let mut simple_given = false;
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--help" | "-h" => parsed.help = true,
            "--json" => parsed.json = true,
            "--svg" => parsed.svg = Some(value("--svg")?),
            "--seed" => parsed.seed = Some(number("--seed", &value("--seed")?)?),
            "--service-level-secs" => {
                let v = value(&arg)?;
                parsed.service_level_secs = Some(number(&arg, &v)?);
            }
            "--warm-up-mins" => {
                let v = value(&arg)?;
                parsed.warm_up_minutes = Some(number(&arg, &v)?);
            }
            "--agents"
            | "--capacity"
            | "--arrivals-per-hour"
            | "--mean-handle-secs"
            | "--hours" => {
                simple_given = true;
                let v = value(&arg)?;
                match arg.as_str() {
                    "--agents" => simple.agents = number(&arg, &v)?,
                    "--capacity" => simple.capacity = number(&arg, &v)?,
                    "--arrivals-per-hour" => simple.arrivals_per_hour = number(&arg, &v)?,
                    "--mean-handle-secs" => simple.mean_handle_secs = number(&arg, &v)?,
                    _ => simple.hours = number(&arg, &v)?,
                }
            }
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n\n{USAGE}"));
            }
            path => {
                if parsed.file.is_some() {
                    return Err(format!("more than one scenario file: {path}\n\n{USAGE}"));
                }
                parsed.file = Some(path.to_owned());
            }
        }
    }
    if simple_given {
        if parsed.file.is_some() {
            return Err("give a scenario file or scenario flags, not both".into());
        }
        parsed.simple = Some(simple);
    }
    Ok(parsed)
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag}: expected a number, got \"{text}\""))
}
