//! The Search API filter grammar (`docs/icims-api.md` §4.2) for `applicantworkflows`.
//!
//! ```json
//! { "filters": [ { "name": "applicantworkflow.status", "value": ["C12345"], "operator": "=" } ],
//!   "operator": "&", "children": [ { "filters": [ ... ], "operator": "|" } ] }
//! ```

use serde_json::{Map, Value};
use time::macros::format_description;
use time::{Date, PrimitiveDateTime};

use crate::seed::Workflow;

/// A 400 of the Search API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SearchError {
    NoFilter,
    UnknownFilter(String),
    BadOperator(String),
    BadGroupOperator(String),
    UnknownAttribute(String),
    Parse,
}

impl SearchError {
    pub(crate) fn message(&self) -> String {
        match self {
            SearchError::NoFilter => "At least one filter must be specified".to_string(),
            SearchError::UnknownFilter(name) => {
                format!("The following filter is either not valid or hidden: [{name}]")
            }
            SearchError::BadOperator(op) => format!("Invalid filter operator: [{op}]"),
            SearchError::BadGroupOperator(op) => format!("Invalid group operator: [{op}]"),
            SearchError::UnknownAttribute(attr) => {
                format!("Unrecognized filter or group attribute: [{attr}]")
            }
            SearchError::Parse => "An unknown parsing error occurred".to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn parse(op: &str) -> Option<Cmp> {
        Some(match op {
            "=" | "==" => Cmp::Eq,
            "!=" | "!==" => Cmp::Ne,
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            _ => return None,
        })
    }

    fn holds<T: Ord>(self, left: T, right: T) -> bool {
        match self {
            Cmp::Eq => left == right,
            Cmp::Ne => left != right,
            Cmp::Lt => left < right,
            Cmp::Le => left <= right,
            Cmp::Gt => left > right,
            Cmp::Ge => left >= right,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberField {
    Workflow,
    Person,
    Job,
}

/// A date filter value at the precision it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateValue {
    /// `yyyy-MM-dd`: days since the epoch.
    Day(i64),
    /// `yyyy-MM-dd hh:mm a`: minutes since the epoch.
    Minute(i64),
}

impl DateValue {
    fn parse(text: &str) -> Option<DateValue> {
        let text = text.trim();
        let minute = format_description!(
            "[year]-[month]-[day] [hour repr:12 padding:none]:[minute] [period case_sensitive:false]"
        );
        if let Ok(t) = PrimitiveDateTime::parse(text, &minute) {
            return Some(DateValue::Minute(
                t.assume_utc().unix_timestamp().div_euclid(60),
            ));
        }
        let day = format_description!("[year]-[month]-[day]");
        Date::parse(text, &day).ok().map(|d| {
            DateValue::Day(
                d.midnight()
                    .assume_utc()
                    .unix_timestamp()
                    .div_euclid(86_400),
            )
        })
    }

    /// Compares `unix` (truncated to this value's precision) with this value.
    fn compare(self, cmp: Cmp, unix: i64) -> bool {
        match self {
            DateValue::Day(d) => cmp.holds(unix.div_euclid(86_400), d),
            DateValue::Minute(m) => cmp.holds(unix.div_euclid(60), m),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Filter {
    Status {
        negate: bool,
        values: Vec<String>,
    },
    Number {
        field: NumberField,
        cmp: Cmp,
        values: Vec<u64>,
    },
    /// Both bounds inclusive; `None` = unconstrained (absent or unparseable).
    UpdatedRange {
        start: Option<DateValue>,
        end: Option<DateValue>,
    },
    Updated {
        cmp: Cmp,
        value: Option<DateValue>,
    },
}

impl Filter {
    fn matches(&self, wf: &Workflow) -> bool {
        match self {
            Filter::Status { negate, values } => {
                let hit = values
                    .iter()
                    .any(|v| *v == wf.status_id || v.eq_ignore_ascii_case(&wf.status_value));
                hit != *negate
            }
            Filter::Number { field, cmp, values } => {
                let actual = match field {
                    NumberField::Workflow => wf.id,
                    NumberField::Person => wf.person_id,
                    NumberField::Job => wf.job_id,
                };
                match cmp {
                    Cmp::Eq => values.contains(&actual),
                    Cmp::Ne => !values.contains(&actual),
                    _ => values.first().is_none_or(|v| cmp.holds(actual, *v)),
                }
            }
            Filter::UpdatedRange { start, end } => {
                start.is_none_or(|s| s.compare(Cmp::Ge, wf.updated_unix))
                    && end.is_none_or(|e| e.compare(Cmp::Le, wf.updated_unix))
            }
            Filter::Updated { cmp, value } => {
                value.is_none_or(|v| v.compare(*cmp, wf.updated_unix))
            }
        }
    }
}

/// A parsed search body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    filters: Vec<Filter>,
    children: Vec<Group>,
    any: bool,
}

impl Group {
    pub(crate) fn matches(&self, wf: &Workflow) -> bool {
        let mut results = self
            .filters
            .iter()
            .map(|f| f.matches(wf))
            .chain(self.children.iter().map(|c| c.matches(wf)));
        if self.any {
            results.any(|r| r)
        } else {
            results.all(|r| r)
        }
    }

    fn filter_count(&self) -> usize {
        self.filters.len() + self.children.iter().map(Group::filter_count).sum::<usize>()
    }
}

/// Parses a search body; an empty body is an empty group (→ "At least one filter").
pub(crate) fn parse(body: &[u8]) -> Result<Group, SearchError> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body).map_err(|_| SearchError::Parse)?
    };
    let group = parse_group(&value)?;
    if group.filter_count() == 0 {
        return Err(SearchError::NoFilter);
    }
    Ok(group)
}

fn parse_group(value: &Value) -> Result<Group, SearchError> {
    let object = value.as_object().ok_or(SearchError::Parse)?;
    let mut group = Group {
        filters: Vec::new(),
        children: Vec::new(),
        any: false,
    };
    for (key, v) in object {
        match key.as_str() {
            "filters" => {
                for f in v.as_array().ok_or(SearchError::Parse)? {
                    group.filters.push(parse_filter(f)?);
                }
            }
            "children" => {
                for c in v.as_array().ok_or(SearchError::Parse)? {
                    group.children.push(parse_group(c)?);
                }
            }
            "operator" => {
                group.any = match v.as_str().ok_or(SearchError::Parse)? {
                    "&" => false,
                    "|" => true,
                    other => return Err(SearchError::BadGroupOperator(other.to_string())),
                }
            }
            other => return Err(SearchError::UnknownAttribute(other.to_string())),
        }
    }
    Ok(group)
}

/// `["a", 1]`, `"a"` or `1` → texts.
fn texts(value: Option<&Value>) -> Result<Vec<String>, SearchError> {
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(SearchError::Parse),
    };
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(one).collect(),
        Some(v) => Ok(vec![one(v)?]),
    }
}

fn parse_filter(value: &Value) -> Result<Filter, SearchError> {
    let object = value.as_object().ok_or(SearchError::Parse)?;
    if let Some(key) = object
        .keys()
        .find(|k| !["name", "value", "secondaryValue", "operator"].contains(&k.as_str()))
    {
        return Err(SearchError::UnknownAttribute(key.clone()));
    }
    let name = object
        .get("name")
        .and_then(Value::as_str)
        .ok_or(SearchError::Parse)?;
    let op = match object.get("operator") {
        None | Some(Value::Null) => "=",
        Some(v) => v.as_str().ok_or(SearchError::Parse)?,
    };
    let cmp = Cmp::parse(op).ok_or_else(|| SearchError::BadOperator(op.to_string()))?;
    let values = texts(object.get("value"))?;
    let number_field = match name {
        "applicantworkflow.id" => Some(NumberField::Workflow),
        "applicantworkflow.person.id" => Some(NumberField::Person),
        "applicantworkflow.job.id" => Some(NumberField::Job),
        _ => None,
    };
    if let Some(field) = number_field {
        let values = values
            .iter()
            .map(|v| v.trim().parse::<u64>().map_err(|_| SearchError::Parse))
            .collect::<Result<_, _>>()?;
        return Ok(Filter::Number { field, cmp, values });
    }
    match name {
        "applicantworkflow.status" => match cmp {
            Cmp::Eq | Cmp::Ne => Ok(Filter::Status {
                negate: cmp == Cmp::Ne,
                values,
            }),
            _ => Err(SearchError::BadOperator(op.to_string())),
        },
        "applicantworkflow.updateddate" => {
            let first = |v: Vec<String>| v.first().and_then(|s| DateValue::parse(s));
            match cmp {
                Cmp::Eq => Ok(Filter::UpdatedRange {
                    start: first(values),
                    end: first(texts(object.get("secondaryValue"))?),
                }),
                Cmp::Ne => Err(SearchError::BadOperator(op.to_string())),
                _ => Ok(Filter::Updated {
                    cmp,
                    value: first(values),
                }),
            }
        }
        other => Err(SearchError::UnknownFilter(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn wf(id: u64, status: (&str, &str), updated: &str) -> Workflow {
        let t = PrimitiveDateTime::parse(
            updated,
            &format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        )
        .unwrap()
        .assume_utc();
        Workflow {
            id,
            person_id: id + 1000,
            job_id: 7,
            status_id: status.0.to_string(),
            status_value: status.1.to_string(),
            updated_unix: t.unix_timestamp(),
        }
    }

    fn ids(body: Value, wfs: &[Workflow]) -> Result<Vec<u64>, SearchError> {
        let group = parse(body.to_string().as_bytes())?;
        Ok(wfs
            .iter()
            .filter(|w| group.matches(w))
            .map(|w| w.id)
            .collect())
    }

    fn filter(name: &str, op: &str, value: Value) -> Value {
        json!({ "filters": [ { "name": name, "value": value, "operator": op } ] })
    }

    fn sample() -> Vec<Workflow> {
        vec![
            wf(1, ("C12345", "Hired"), "2024-01-14 22:59:59"),
            wf(2, ("C12345", "Hired"), "2024-01-14 23:00:30"),
            wf(3, ("C12342", "Offer"), "2024-01-15 08:00:00"),
            wf(4, ("C12345", "Hired"), "2024-01-16 00:00:00"),
        ]
    }

    #[test]
    fn status_by_id_or_text() {
        let s = sample();
        assert_eq!(
            ids(
                filter("applicantworkflow.status", "=", json!(["C12345"])),
                &s
            ),
            Ok(vec![1, 2, 4])
        );
        assert_eq!(
            ids(
                filter("applicantworkflow.status", "=", json!(["hired"])),
                &s
            ),
            Ok(vec![1, 2, 4])
        );
        assert_eq!(
            ids(
                filter("applicantworkflow.status", "=", json!(["Offer", "C12345"])),
                &s
            ),
            Ok(vec![1, 2, 3, 4])
        );
        assert_eq!(
            ids(
                filter("applicantworkflow.status", "!=", json!(["Hired"])),
                &s
            ),
            Ok(vec![3])
        );
        assert_eq!(
            ids(
                filter("applicantworkflow.status", "=", json!(["D99999"])),
                &s
            ),
            Ok(vec![])
        );
        assert_eq!(
            ids(filter("applicantworkflow.status", ">", json!(["C1"])), &s),
            Err(SearchError::BadOperator(">".into()))
        );
    }

    #[test]
    fn updateddate_operators_and_precision() {
        let s = sample();
        let f = |op: &str, v: &str| {
            ids(filter("applicantworkflow.updateddate", op, json!([v])), &s).unwrap()
        };
        assert_eq!(f("=", "2024-01-14 11:00 PM"), vec![2, 3, 4]);
        assert_eq!(f(">=", "2024-01-14 11:00 PM"), vec![2, 3, 4]);
        assert_eq!(
            f(">", "2024-01-14 11:00 PM"),
            vec![3, 4],
            "same minute is not after"
        );
        assert_eq!(f(">", "2024-01-14 10:59 pm"), vec![2, 3, 4]);
        assert_eq!(
            f("<=", "2024-01-15"),
            vec![1, 2, 3],
            "date-only compares whole days"
        );
        assert_eq!(f("<", "2024-01-15"), vec![1, 2]);
        assert_eq!(f(">", "2024-01-14"), vec![3, 4]);
        assert_eq!(f("=", "2024-01-15"), vec![3, 4]);
        // Unparseable → silently no constraint.
        assert_eq!(f(">=", "yesterday"), vec![1, 2, 3, 4]);
        assert_eq!(f(">=", "{DATE:-9}"), vec![1, 2, 3, 4]);
        let range = json!({ "filters": [ { "name": "applicantworkflow.updateddate", "value": ["2024-01-14 11:00 PM"],
            "secondaryValue": ["2024-01-15"], "operator": "=" } ] });
        assert_eq!(ids(range, &s), Ok(vec![2, 3]));
    }

    #[test]
    fn id_paging_and_groups() {
        let s = sample();
        assert_eq!(
            ids(filter("applicantworkflow.id", ">", json!(["2"])), &s),
            Ok(vec![3, 4])
        );
        assert_eq!(
            ids(filter("applicantworkflow.id", ">", json!([2])), &s),
            Ok(vec![3, 4])
        );
        assert_eq!(
            ids(
                filter("applicantworkflow.person.id", "=", json!(["1003"])),
                &s
            ),
            Ok(vec![3])
        );
        let and = json!({ "filters": [
            { "name": "applicantworkflow.status", "value": ["C12345"], "operator": "=" },
            { "name": "applicantworkflow.id", "value": ["1"], "operator": ">" } ], "operator": "&" });
        assert_eq!(ids(and, &s), Ok(vec![2, 4]));
        let or = json!({ "filters": [
            { "name": "applicantworkflow.status", "value": ["Offer"] },
            { "name": "applicantworkflow.id", "value": ["1"], "operator": "=" } ], "operator": "|" });
        assert_eq!(ids(or, &s), Ok(vec![1, 3]));
        let nested = json!({ "filters": [ { "name": "applicantworkflow.status", "value": ["Hired"] } ],
            "children": [ { "filters": [
                { "name": "applicantworkflow.id", "value": ["1"] },
                { "name": "applicantworkflow.id", "value": ["4"] } ], "operator": "|" } ] });
        assert_eq!(ids(nested, &s), Ok(vec![1, 4]));
    }

    #[test]
    fn errors() {
        let s = sample();
        assert_eq!(ids(json!({}), &s), Err(SearchError::NoFilter));
        assert_eq!(
            ids(json!({ "filters": [] }), &s),
            Err(SearchError::NoFilter)
        );
        assert_eq!(parse(b""), Err(SearchError::NoFilter));
        assert_eq!(parse(b"{not json"), Err(SearchError::Parse));
        assert_eq!(
            ids(filter("applicantworkflow.bin", "=", json!(["x"])), &s),
            Err(SearchError::UnknownFilter("applicantworkflow.bin".into()))
        );
        assert_eq!(
            ids(filter("ApplicantWorkflow.Status", "=", json!(["x"])), &s),
            Err(SearchError::UnknownFilter(
                "ApplicantWorkflow.Status".into()
            ))
        );
        assert_eq!(
            SearchError::UnknownFilter("x.y".into()).message(),
            "The following filter is either not valid or hidden: [x.y]"
        );
        assert_eq!(
            ids(
                json!({ "filters": [ { "name": "applicantworkflow.id", "value": ["1"] } ], "operator": "AND" }),
                &s
            ),
            Err(SearchError::BadGroupOperator("AND".into()))
        );
        assert_eq!(
            ids(
                json!({ "filters": [ { "Name": "applicantworkflow.id", "value": ["1"] } ] }),
                &s
            ),
            Err(SearchError::UnknownAttribute("Name".into()))
        );
        assert_eq!(
            ids(filter("applicantworkflow.id", ">", json!(["abc"])), &s),
            Err(SearchError::Parse)
        );
    }
}
