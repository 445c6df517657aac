//! Optional parts of a generated world, each drawn from a random stream of its own (derived
//! from the seed) so that asking for none leaves the rest of the world exactly as it was:
//! past hires ([`SeedConfig::history`]) and hires HR typed into Namely by hand
//! ([`SeedConfig::hand_made`]).

use std::collections::{BTreeSet, HashSet};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::generate::{
    DAY, Emails, INTERNATIONAL_NAMES, Traits, person, plain_name, unique_email, uuid_v4, ymd,
};
use super::{Employee, HIRED, SeedConfig, Workflow, World};

/// Domain of the company emails HR types by hand.
pub(super) const COMPANY_DOMAIN: &str = "acme-corp.example";

/// The latest past start date is at least this many days before the anchor…
const HISTORY_MIN_DAYS: i64 = 60;
/// …and the earliest less than this many (5 years).
const HISTORY_MAX_DAYS: i64 = 5 * 365;
/// Past hires that fit below the first current person (1001) and workflow (19001), where the
/// current ids have always started.
const HISTORY_IN_PLACE: usize = 999;
/// The most past hires a world holds ([`SeedConfig::history`] is capped here).
pub(super) const HISTORY_MAX: usize = 100_000;

/// Where the ids of the current people and of the workflows start counting up (the first is
/// 1 to 5, resp. 1 to 4, above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct IdBases {
    pub person: u64,
    pub workflow: u64,
}

/// The id bases for `history` past hires. Up to [`HISTORY_IN_PLACE`]: 1000 and 19000, as
/// always, so those worlds do not change. Above: each is raised to a multiple of 1000 that
/// leaves room below the current ids for every past hire, whose ids step down by 1 (people)
/// and by up to 4 (workflows) from them.
pub(super) fn id_bases(history: usize) -> IdBases {
    let n = history.min(HISTORY_MAX) as u64;
    if n <= HISTORY_IN_PLACE as u64 {
        return IdBases {
            person: 1000,
            workflow: 19_000,
        };
    }
    let round_up = |x: u64| x.div_ceil(1000) * 1000;
    IdBases {
        person: round_up(n + 1).max(1000),
        workflow: round_up(4 * n + 1).max(19_000),
    }
}

fn stream(seed: u64, salt: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ salt)
}

/// Adds `config.history` past hires: hired (workflow in [`HIRED`], updated at the hire),
/// start dates spread over the 5 years before `anchor`, the latest at least 60 days before it,
/// hire dates 3 to 90 days before the start. Ids count down from below the current ones, most
/// recent first, as iCIMS numbers records in order ([`id_bases`] left room for them).
pub(super) fn add_history(
    world: &mut World,
    config: &SeedConfig,
    anchor: i64,
    used_emails: &mut Emails,
    used_names: &BTreeSet<(String, String)>,
) {
    let n = config.history.min(HISTORY_MAX);
    if n == 0 {
        return;
    }
    let mut rng = stream(config.seed, 0x6869_7374_6f72_7931); // "history1"
    let mut used_names = used_names.clone();
    let today = anchor.div_euclid(DAY) * DAY;
    let span = HISTORY_MAX_DAYS - HISTORY_MIN_DAYS;
    // Ids step down by 1..=step so that n of them stay above 0 (a step of 1 above 999: the
    // current ids were shifted up by `id_bases` to make the room).
    let person_step = (1000 / (n as u64 + 1)).clamp(1, 5);
    let mut person_id = world.people.iter().map(|p| p.id).min().unwrap_or(1001);
    let mut workflow_id = world.workflows.iter().map(|w| w.id).min().unwrap_or(19_001);
    for k in 0..n as i64 {
        // Stratified: hire k starts in the k-th slice of the 5 years, most recent first.
        let lo = HISTORY_MIN_DAYS + k * span / n as i64;
        let hi = (HISTORY_MIN_DAYS + (k + 1) * span / n as i64).max(lo + 1);
        let start = today - rng.gen_range(lo..hi) * DAY;
        let hire_day = start - rng.gen_range(3..=90) * DAY;
        let hired_at = hire_day + rng.gen_range(9 * 3600..18 * 3600);

        person_id = person_id
            .saturating_sub(rng.gen_range(1..=person_step))
            .max(1);
        workflow_id = workflow_id.saturating_sub(rng.gen_range(1..=4)).max(1);
        let international = INTERNATIONAL_NAMES
            .iter()
            .filter(|(f, _, l)| !used_names.contains(&(f.to_string(), l.to_string())))
            .collect::<Vec<_>>();
        let name = match international.choose(&mut rng) {
            Some(&&name) if rng.gen_ratio(1, 4) => name,
            _ => plain_name(&mut rng, &used_names),
        };
        used_names.insert((name.0.to_string(), name.2.to_string()));
        let mut p = person(
            &mut rng,
            person_id,
            name,
            anchor,
            &Traits::default(),
            used_emails,
        );
        p.startdate = Some(ymd(start));
        p.hiredate = Some(ymd(hire_day));
        p.updated_unix = hired_at;
        let job_id = world.jobs[rng.gen_range(0..world.jobs.len())].id;
        world.people.push(p);
        world.workflows.push(Workflow {
            id: workflow_id,
            person_id,
            job_id,
            status_id: HIRED.id.to_string(),
            status_value: HIRED.value.to_string(),
            updated_unix: hired_at,
        });
        world.history.push(person_id);
    }
}

/// Adds a Namely employee typed by hand for `config.hand_made` of the current hires that have
/// a start date and that no employee represents yet (by `icims_id`, email or name).
pub(super) fn add_hand_made(world: &mut World, config: &SeedConfig, used_emails: &mut Emails) {
    if config.hand_made == 0 {
        return;
    }
    let mut rng = stream(config.seed, 0x6861_6e64_6d61_6465); // "handmade"
    // Looked up in sets, not by scanning every employee for every hire (10,000 × 10,000).
    let icims_ids: HashSet<&str> = world
        .employees
        .iter()
        .filter_map(|e| e.icims_id.as_deref())
        .collect();
    let emails: HashSet<String> = world
        .employees
        .iter()
        .map(|e| e.email.to_ascii_lowercase())
        .collect();
    let names: HashSet<(&str, &str)> = world
        .employees
        .iter()
        .map(|e| (e.first_name.as_str(), e.last_name.as_str()))
        .collect();
    let represented = |p: &super::Person| {
        icims_ids.contains(p.id.to_string().as_str())
            || p.email
                .as_deref()
                .is_some_and(|m| emails.contains(&m.to_ascii_lowercase()))
            || names.contains(&(p.firstname.as_str(), p.lastname.as_str()))
    };
    let mut eligible: Vec<usize> = (0..config.hires.min(world.people.len()))
        .filter(|&i| world.people[i].startdate.is_some() && !represented(&world.people[i]))
        .collect();
    eligible.shuffle(&mut rng);
    eligible.truncate(config.hand_made);
    eligible.sort_by_key(|&i| world.people[i].id);
    for i in eligible {
        let hire = &world.people[i];
        let employee = Employee {
            id: uuid_v4(&mut rng),
            first_name: hire.firstname.clone(),
            last_name: hire.lastname.clone(),
            email: unique_email(&hire.firstname, &hire.lastname, COMPANY_DOMAIN, used_emails),
            personal_email: None,
            user_status: "active".into(),
            access_role: "Employee".into(),
            start_date: hire.startdate.clone(),
            icims_id: None,
        };
        world.hand_made.push((hire.id, employee.id.clone()));
        world.employees.push(employee);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Person, SEED_ANCHOR_UNIX, ascii_fold};
    use super::*;

    fn config(seed: u64, history: usize, hand_made: usize) -> SeedConfig {
        SeedConfig {
            seed,
            history,
            hand_made,
            ..SeedConfig::default()
        }
    }

    fn unix(ymd: &str) -> i64 {
        let f = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(ymd, &f)
            .unwrap()
            .midnight()
            .assume_utc()
            .unix_timestamp()
    }

    /// The world without its past hires (people and their workflows).
    fn without_history(mut w: World) -> World {
        let history: BTreeSet<u64> = w.history.drain(..).collect();
        w.people.retain(|p| !history.contains(&p.id));
        w.workflows.retain(|wf| !history.contains(&wf.person_id));
        w
    }

    #[test]
    fn history_and_hand_made_leave_the_rest_of_the_world_unchanged() {
        for seed in [0, 7, 99] {
            let base = World::generate(&config(seed, 0, 0));
            assert!(base.history.is_empty() && base.hand_made.is_empty());
            let with = World::generate(&config(seed, 25, 3));
            assert_eq!(with.history.len(), 25);
            assert!(!with.hand_made.is_empty());
            let mut rest = without_history(with.clone());
            let hand_made: BTreeSet<&str> =
                with.hand_made.iter().map(|(_, e)| e.as_str()).collect();
            rest.employees
                .retain(|e| !hand_made.contains(e.id.as_str()));
            rest.hand_made.clear();
            assert_eq!(rest, base, "seed {seed}");
            // the new parts are appended
            assert_eq!(with.employees[..base.employees.len()], base.employees[..]);
            assert_eq!(with.people[..base.people.len()], base.people[..]);
        }
        // serde: a world without them reads back, and an old config (no keys) means 0
        let cfg: SeedConfig =
            serde_json::from_str(r#"{"seed":7,"hires":12,"employees":8}"#).unwrap();
        assert_eq!((cfg.history, cfg.hand_made), (0, 0));
        let base = World::generate(&cfg);
        let text = serde_json::to_string(&base).unwrap();
        assert!(!text.contains("\"history\"") && !text.contains("hand_made"));
        let with = World::generate(&config(7, 4, 2));
        let back: World = serde_json::from_str(&serde_json::to_string(&with).unwrap()).unwrap();
        assert_eq!(back, with);
    }

    #[test]
    fn past_hires_are_hired_spread_over_five_years_and_deterministic() {
        for (seed, anchor) in [
            (1, SEED_ANCHOR_UNIX),
            (2, SEED_ANCHOR_UNIX + 12_345),
            (3, 1_700_000_000),
        ] {
            let cfg = config(seed, 30, 0);
            let w = World::generate_at(&cfg, anchor);
            assert_eq!(w, World::generate_at(&cfg, anchor), "deterministic");
            assert_ne!(
                w.history,
                World::generate_at(&config(seed + 10, 30, 0), anchor).history
            );
            assert_eq!(w.history.len(), 30);
            let distinct: BTreeSet<u64> = w.history.iter().copied().collect();
            assert_eq!(distinct.len(), 30);
            let current_min = w.people[..cfg.hires].iter().map(|p| p.id).min().unwrap();
            let hired = w.hired_person_ids(&[HIRED.id]);
            let mut starts = Vec::new();
            for &id in &w.history {
                assert!(id < current_min && id > 0, "older record, smaller id: {id}");
                assert!(hired.contains(&id), "{id} is hired");
                let p: &Person = w.person(id).unwrap();
                let start = unix(p.startdate.as_deref().unwrap());
                let hire = unix(p.hiredate.as_deref().unwrap());
                assert!(
                    start <= anchor - 60 * DAY,
                    "{id} starts 60+ days before the anchor"
                );
                assert!(start > anchor - 5 * 365 * DAY - DAY, "{id} within 5 years");
                let lead = (start - hire) / DAY;
                assert!(
                    (3..=90).contains(&lead),
                    "{id} hired {lead} days before start"
                );
                let wfs: Vec<&Workflow> =
                    w.workflows.iter().filter(|wf| wf.person_id == id).collect();
                assert_eq!(wfs.len(), 1);
                assert_eq!(wfs[0].status_value, HIRED.value);
                assert_eq!(
                    ymd(wfs[0].updated_unix),
                    *p.hiredate.as_ref().unwrap(),
                    "status changed on the hire date"
                );
                assert!(w.job(wfs[0].job_id).is_some());
                assert!(
                    p.email
                        .as_deref()
                        .is_some_and(|m| m.ends_with("@example.com"))
                );
                starts.push(start);
            }
            // spread: the oldest in the last of the five years, the newest within ~2 months of
            // the 60-day line, and most recent first
            let (oldest, newest) = (*starts.iter().min().unwrap(), *starts.iter().max().unwrap());
            assert!(oldest < anchor - 4 * 365 * DAY, "spread back to year 5");
            assert!(newest > anchor - 130 * DAY, "spread up to the 60-day line");
            assert!(starts.windows(2).all(|s| s[0] >= s[1]), "most recent first");
            // workflow and person ids stay unique, emails too
            let ids: BTreeSet<u64> = w.people.iter().map(|p| p.id).collect();
            assert_eq!(ids.len(), w.people.len());
            let wf_ids: BTreeSet<u64> = w.workflows.iter().map(|wf| wf.id).collect();
            assert_eq!(wf_ids.len(), w.workflows.len());
            let emails: Vec<&String> = w.people.iter().filter_map(|p| p.email.as_ref()).collect();
            assert_eq!(emails.iter().collect::<BTreeSet<_>>().len(), emails.len());
        }
    }

    #[test]
    fn up_to_999_past_hires_keep_the_current_ids_and_more_shift_them_up() {
        let ids = |w: &World| -> (Vec<u64>, Vec<u64>) {
            (
                w.people.iter().map(|p| p.id).collect(),
                w.workflows.iter().map(|wf| wf.id).collect(),
            )
        };
        let base = World::generate(&config(4, 0, 0));
        let current = base.people.len();
        let current_wf = base.workflows.len();
        // 999 still fit below 1001 and 19001: the current part of the world is untouched.
        let w = World::generate(&config(4, 999, 0));
        assert_eq!(w.history.len(), 999);
        assert_eq!(w.people[..current], base.people[..]);
        assert_eq!(w.workflows[..current_wf], base.workflows[..]);
        assert!(w.people[0].id <= 1005 && w.workflows.iter().any(|wf| wf.id < 19_005));

        for n in [1000, 5000, 20_000] {
            let w = World::generate(&config(4, n, 0));
            assert_eq!(w.history.len(), n);
            assert_eq!(w, World::generate(&config(4, n, 0)), "deterministic");
            let (people, workflows) = ids(&w);
            let current_min = people[..current].iter().min().copied().unwrap();
            assert!(current_min > n as u64, "shifted up: {current_min}");
            let history: BTreeSet<u64> = w.history.iter().copied().collect();
            assert_eq!(history.len(), n, "distinct");
            assert!(w.history.iter().all(|&id| id > 0 && id < current_min));
            assert!(
                w.history.windows(2).all(|x| x[0] > x[1]),
                "most recent first"
            );
            // every id unique; every past hire's workflow below every current one
            assert_eq!(people.iter().collect::<BTreeSet<_>>().len(), people.len());
            assert_eq!(
                workflows.iter().collect::<BTreeSet<_>>().len(),
                workflows.len()
            );
            let (past, now): (Vec<&Workflow>, Vec<&Workflow>) = w
                .workflows
                .iter()
                .partition(|wf| history.contains(&wf.person_id));
            assert_eq!(past.len(), n);
            let past_max = past.iter().map(|wf| wf.id).max().unwrap();
            let now_min = now.iter().map(|wf| wf.id).min().unwrap();
            assert!(past.iter().all(|wf| wf.id > 0) && past_max < now_min);
            // the rest of the world is the same, its ids shifted by a constant
            let shift = w.people[0].id - base.people[0].id;
            let shift_wf = now_min - base.workflows.iter().map(|wf| wf.id).min().unwrap();
            assert!(shift >= 1000 && shift.is_multiple_of(1000), "{shift}");
            assert!(shift_wf.is_multiple_of(1000), "{shift_wf}");
            for (a, b) in w.people[..current].iter().zip(&base.people) {
                assert_eq!(a.id, b.id + shift);
                assert_eq!((&a.firstname, &a.email), (&b.firstname, &b.email));
            }
            for (a, b) in w.workflows[..current_wf].iter().zip(&base.workflows) {
                assert_eq!((a.id, a.person_id), (b.id + shift_wf, b.person_id + shift));
            }
            for (a, b) in w.employees.iter().zip(&base.employees) {
                let shifted = b
                    .icims_id
                    .as_ref()
                    .map(|id| (id.parse::<u64>().unwrap() + shift).to_string());
                assert_eq!(a.icims_id, shifted, "synced employees follow their hire");
                assert_eq!((&a.id, &a.email), (&b.id, &b.email));
            }
        }
        // the cap
        assert_eq!(id_bases(HISTORY_MAX * 10), id_bases(HISTORY_MAX));
    }

    #[test]
    fn hand_made_employees_copy_the_hire_with_a_company_email() {
        let base = World::generate(&config(7, 0, 0));
        let w = World::generate(&config(7, 10, 3));
        assert_eq!(w.hand_made.len(), 3);
        assert_eq!(w, World::generate(&config(7, 10, 3)), "deterministic");
        let current: Vec<u64> = w.people[..SeedConfig::default().hires]
            .iter()
            .map(|p| p.id)
            .collect();
        let ids: Vec<u64> = w.hand_made.iter().map(|(p, _)| *p).collect();
        assert!(ids.windows(2).all(|x| x[0] < x[1]));
        for (person_id, employee_id) in &w.hand_made {
            assert!(current.contains(person_id) && !w.history.contains(person_id));
            let hire = w.person(*person_id).unwrap();
            // not represented in Namely before
            assert!(!base.employees.iter().any(|e| {
                e.icims_id.as_deref() == Some(person_id.to_string().as_str())
                    || Some(e.email.as_str()) == hire.email.as_deref()
                    || (e.first_name == hire.firstname && e.last_name == hire.lastname)
            }));
            let e = w.employees.iter().find(|e| &e.id == employee_id).unwrap();
            assert_eq!(
                (&e.first_name, &e.last_name),
                (&hire.firstname, &hire.lastname)
            );
            assert!(hire.startdate.is_some());
            assert_eq!(e.start_date, hire.startdate);
            assert_eq!(
                e.email,
                format!(
                    "{}.{}@acme-corp.example",
                    ascii_fold(&hire.firstname),
                    ascii_fold(&hire.lastname)
                )
            );
            assert!(e.email.is_ascii() && e.email == e.email.to_lowercase());
            assert_eq!(e.personal_email, None);
            assert_eq!(e.icims_id, None);
            assert_eq!(
                (e.user_status.as_str(), e.access_role.as_str()),
                ("active", "Employee")
            );
            assert_eq!(e.id.len(), 36);
        }
        // Asking for more than qualify gives every one that does, never a history hire.
        let w = World::generate(&config(7, 10, 1000));
        let qualify = base.people[..12]
            .iter()
            .filter(|p| p.startdate.is_some())
            .filter(|p| {
                !base.employees.iter().any(|e| {
                    e.icims_id.as_deref() == Some(p.id.to_string().as_str())
                        || Some(e.email.as_str()) == p.email.as_deref()
                        || (e.first_name == p.firstname && e.last_name == p.lastname)
                })
            })
            .count();
        assert!(qualify > 3);
        assert_eq!(w.hand_made.len(), qualify);
        assert_eq!(w.employees.len(), base.employees.len() + qualify);
        // Company emails stay unique across all employees.
        let emails: BTreeSet<&str> = w.employees.iter().map(|e| e.email.as_str()).collect();
        assert_eq!(emails.len(), w.employees.len());
    }
}
