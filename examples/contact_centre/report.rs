//! What a run shows: a table for people, JSON for programs, an SVG picture.

use std::fmt::Write;

use serde_json::json;

use crate::scenario::Scenario;
use crate::sim::{Outcome, Summary};

/// The readable table, with a line per channel and one for all.
pub fn table(scenario: &Scenario, outcome: &Outcome) -> String {
    let mut out = String::new();
    let close = f64::from(scenario.hours) * 60.0;
    let sl = scenario.service_level_secs;
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "{} to {}, {}, {} agents, seed {}; counted from {} (warm-up {} min)\n",
        scenario.clock(0.0),
        scenario.clock(close),
        match scenario.channels.len() {
            1 => "1 channel".to_owned(),
            n => format!("{n} channels"),
        },
        scenario.agent_count(),
        scenario.seed,
        scenario.clock(scenario.warm_up_minutes),
        scenario.warm_up_minutes,
    );
    let sl_header = format!("SL {sl}s");
    let _ = writeln!(
        out,
        "{:<10} {:>8} {:>9} {:>9} {:>7} {:>8} {:>9} {:>8} {:>9}",
        "channel",
        "offered",
        "answered",
        "abandoned",
        "waited",
        "ASA",
        "max wait",
        sl_header,
        "occupancy"
    );
    let row = |out: &mut String, name: &str, s: Summary| {
        let _ = writeln!(
            out,
            "{:<10} {:>8} {:>9} {:>9} {:>6.1}% {:>7.1}s {:>8.0}s {:>7.1}% {:>8.1}%",
            name,
            s.offered,
            s.answered,
            s.abandoned,
            100.0 * s.p_wait,
            s.asa_secs,
            s.max_wait_secs,
            100.0 * s.service_level,
            100.0 * s.occupancy,
        );
    };
    for (channel, kpi) in scenario.channels.iter().zip(&outcome.kpis) {
        row(&mut out, &channel.name, kpi.summary());
    }
    row(&mut out, "all", outcome.overall().summary());
    let _ = writeln!(
        out,
        "\nwaited: share of customers not answered the moment they arrived.\n\
         ASA: mean wait of the answered. SL {sl}s: share of the answered who waited at most {sl} s.\n\
         occupancy: busy slot-time / slot-time of available agents, until closing.\n\
         router events: {}",
        outcome.router_events
    );
    if let Some(transfers) = &scenario.transfers {
        let _ = writeln!(
            out,
            "transfers to {}: {}",
            transfers.team, outcome.transfers
        );
    }
    if let Some(supervisors) = scenario.supervisors {
        let _ = writeln!(
            out,
            "supervisor joins: {} (by {} supervisors)",
            outcome.joins, supervisors.count
        );
    }
    if outcome.unanswered > 0 {
        let _ = writeln!(
            out,
            "{} customers were still waiting at the end, with no agent left for them.",
            outcome.unanswered
        );
    }
    out
}

/// One JSON object: the run's parameters, KPIs per channel and overall.
pub fn json(scenario: &Scenario, outcome: &Outcome) -> serde_json::Value {
    let kpis = |s: Summary| {
        json!({
            "offered": s.offered,
            "answered": s.answered,
            "abandoned": s.abandoned,
            "p_wait": round(s.p_wait, 4),
            "asa_secs": round(s.asa_secs, 2),
            "service_level": round(s.service_level, 4),
            "occupancy": round(s.occupancy, 4),
        })
    };
    let channels: Vec<_> = scenario
        .channels
        .iter()
        .zip(&outcome.kpis)
        .map(|(channel, kpi)| {
            let mut entry = kpis(kpi.summary());
            entry["channel"] = json!(channel.name);
            entry
        })
        .collect();
    json!({
        "seed": scenario.seed,
        "hours": scenario.hours,
        "warm_up_minutes": scenario.warm_up_minutes,
        "service_level_secs": scenario.service_level_secs,
        "agents": scenario.agent_count(),
        "channels": channels,
        "overall": kpis(outcome.overall().summary()),
        "transfers": outcome.transfers,
        "supervisor_joins": outcome.joins,
    })
}

fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}

const WIDTH: f64 = 960.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 78.0;
const PANEL: f64 = 130.0;
const GAP: f64 = 34.0;
const STAFFED: &str = "#4d4d4d";
const DASHED: &str = r#" stroke-dasharray="5 3""#;
const BUSY: &str = "#3b7dd8";
const QUEUE: &str = "#e8590c";

/// Queue length and busy agents over the day, one panel per channel.
pub fn svg(scenario: &Scenario, outcome: &Outcome) -> String {
    let panels = scenario.channels.len() as f64;
    let height = TOP + panels * (PANEL + GAP) + 10.0;
    let close_min = f64::from(scenario.hours) * 60.0;
    let bucket_min = outcome.bucket_ms as f64 / 60_000.0;
    let x = |minute: f64| LEFT + (WIDTH - LEFT - RIGHT) * minute / close_min;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        out,
        r#"<rect width="{WIDTH}" height="{height}" fill="white"/>"#
    );
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="24" font-size="17" font-weight="bold">Customers waiting and agents busy, {} to {}</text>"#,
        scenario.clock(0.0),
        scenario.clock(close_min)
    );
    let _ = writeln!(
        out,
        r##"<text x="{LEFT}" y="44" fill="#555">{} agents, seed {}; the shaded start is the warm-up, not counted in the KPIs</text>"##,
        scenario.agent_count(),
        scenario.seed
    );
    legend(&mut out, 60.0);
    for (i, ((channel, series), kpi)) in scenario
        .channels
        .iter()
        .zip(&outcome.series)
        .zip(&outcome.kpis)
        .enumerate()
    {
        let top = TOP + i as f64 * (PANEL + GAP);
        let bottom = top + PANEL;
        let peak = series
            .staffed_agents
            .iter()
            .chain(&series.busy_agents)
            .chain(&series.queue)
            .copied()
            .fold(1.0, f64::max);
        let y_max = nice_ceiling(peak);
        let y = |v: f64| bottom - PANEL * v / y_max;
        // Warm-up, grid and axes.
        let _ = writeln!(
            out,
            r##"<rect x="{:.1}" y="{top}" width="{:.1}" height="{PANEL}" fill="#f1f1f1"/>"##,
            x(0.0),
            x(scenario.warm_up_minutes) - x(0.0)
        );
        for step in 0..=2 {
            let v = y_max * f64::from(step) / 2.0;
            let _ = writeln!(
                out,
                r##"<line x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#e3e3e3"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#666">{v}</text>"##,
                WIDTH - RIGHT,
                y(v),
                y(v),
                LEFT - 6.0,
                y(v) + 4.0
            );
        }
        let hours_step = (f64::from(scenario.hours) / 12.0).ceil().max(1.0);
        let mut hour = 0.0;
        while hour <= f64::from(scenario.hours) {
            let hx = x(hour * 60.0);
            let _ = writeln!(
                out,
                r##"<line x1="{hx:.1}" x2="{hx:.1}" y1="{top}" y2="{bottom}" stroke="#ececec"/><text x="{hx:.1}" y="{:.1}" text-anchor="middle" fill="#666">{}</text>"##,
                bottom + 15.0,
                scenario.clock(hour * 60.0)
            );
            hour += hours_step;
        }
        // The series: points at the middle of each bucket.
        let points = |values: &[f64]| -> Vec<(f64, f64)> {
            values
                .iter()
                .enumerate()
                .map(|(b, &v)| {
                    let minute = ((b as f64 + 0.5) * bucket_min).min(close_min);
                    (x(minute), y(v))
                })
                .collect()
        };
        area(&mut out, &points(&series.busy_agents), bottom, BUSY, 0.35);
        line(&mut out, &points(&series.busy_agents), BUSY, 1.5, "");
        line(
            &mut out,
            &points(&series.staffed_agents),
            STAFFED,
            1.5,
            DASHED,
        );
        line(&mut out, &points(&series.queue), QUEUE, 2.0, "");
        let s = kpi.summary();
        let _ = writeln!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="14" font-weight="bold">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#333">service level {:.1}% within {} s · ASA {:.1} s · occupancy {:.1}% · {} abandoned</text>"##,
            LEFT,
            top - 6.0,
            channel.name,
            WIDTH - RIGHT,
            top - 6.0,
            100.0 * s.service_level,
            scenario.service_level_secs,
            s.asa_secs,
            100.0 * s.occupancy,
            s.abandoned
        );
        let _ = writeln!(
            out,
            r##"<rect x="{LEFT}" y="{top}" width="{:.1}" height="{PANEL}" fill="none" stroke="#bbb"/>"##,
            WIDTH - LEFT - RIGHT
        );
    }
    out.push_str("</svg>\n");
    out
}

fn legend(out: &mut String, y: f64) {
    let items = [
        (STAFFED, "agents available for the channel"),
        (BUSY, "agents busy on the channel"),
        (QUEUE, "customers waiting"),
    ];
    let mut x = WIDTH - RIGHT - 600.0;
    for (colour, label) in items {
        let dashes = if colour == STAFFED { DASHED } else { "" };
        let _ = writeln!(
            out,
            r#"<line x1="{x:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{colour}" stroke-width="3"{dashes}/><text x="{:.1}" y="{y:.1}">{label}</text>"#,
            x + 18.0,
            y - 4.0,
            y - 4.0,
            x + 23.0
        );
        x += 44.0 + 6.2 * label.len() as f64;
    }
}

/// A filled area under the points.
fn area(out: &mut String, points: &[(f64, f64)], bottom: f64, colour: &str, opacity: f64) {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return;
    };
    let mut d = format!("M{:.1},{bottom:.1}", first.0);
    for (px, py) in points {
        let _ = write!(d, " L{px:.1},{py:.1}");
    }
    let _ = write!(d, " L{:.1},{bottom:.1} Z", last.0);
    let _ = writeln!(
        out,
        r#"<path d="{d}" fill="{colour}" fill-opacity="{opacity}"/>"#
    );
}

/// A line through the points; `extra` adds attributes.
fn line(out: &mut String, points: &[(f64, f64)], colour: &str, width: f64, extra: &str) {
    let joined: Vec<String> = points
        .iter()
        .map(|(px, py)| format!("{px:.1},{py:.1}"))
        .collect();
    let _ = writeln!(
        out,
        r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="{width}" stroke-linejoin="round"{extra}/>"#,
        joined.join(" ")
    );
}

/// The smallest of 1, 2, 3, 4, 5, 6 or 8 times a power of ten that is at
/// least `x`: round numbers whose halves are round too.
fn nice_ceiling(x: f64) -> f64 {
    let power = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&v| v >= x)
        .unwrap_or(10.0 * power)
}
