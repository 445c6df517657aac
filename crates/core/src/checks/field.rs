//! Part 1: the Namely profile field `icims_id` exists, and is Text.

use super::namely::{NamelyCall, namely_failure};
use super::owner::{clean_role, person_name};
use super::{failed, passed};
use crate::api::{CheckCode, CheckResult, Field, SetupStep};
use time::OffsetDateTime;

/// The Namely field label (and expected `name`) the integration writes iCIMS person ids to.
pub const ICIMS_FIELD: &str = "icims_id";

/// How to create the field, as Namely's own iCIMS guide puts it (`docs/namely-api.md` §7).
const CREATE_FIELD_FIX: &str = "Create it in Namely: Company › Settings › Profile Fields › Add \
                                New Field, Label `icims_id`, Type Text. Then Check again.";

/// The outcome of the field check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldCheck {
    pub result: CheckResult,
    /// The Namely field `name` to write iCIMS person ids to, when the check passed. Usually
    /// `icims_id`; a field whose label was renamed to `icims_id` keeps its old name.
    pub field_name: Option<String>,
}

/// Part 1: `GET /profiles/fields` and look for a Text field labelled (or named) `icims_id`.
///
/// Passes for a field whose label is `icims_id` (trimmed, any case), else whose `name` is
/// `icims_id`, of type `text`. Otherwise says what was found instead: nothing, a near miss
/// ([`looks_like_misspelt_icims_id`]), or the right field with the wrong type.
#[tracing::instrument(skip_all)]
pub async fn namely_field(namely: &namely::Client, now: OffsetDateTime) -> FieldCheck {
    let step = SetupStep::NamelyField;
    let fields = match namely.fields().await {
        Ok(f) => f,
        Err(e) => {
            return FieldCheck {
                result: namely_failure(step, namely, NamelyCall::Fields, &e, now),
                field_name: None,
            };
        }
    };
    match judge_fields(&fields) {
        FieldFinding::Found { field, notes } => {
            let mut detail = vec![describe_field(field)];
            detail.extend(notes);
            FieldCheck {
                result: passed(
                    step,
                    "Found the field `icims_id` (Text).".to_string(),
                    Some(detail.join(" ")),
                    now,
                ),
                field_name: Some(field.name.clone()),
            }
        }
        FieldFinding::WrongType(field) => {
            let shown = shown_name(field);
            FieldCheck {
                result: failed(
                    step,
                    CheckCode::FieldWrongType,
                    format!(
                        "Found `{shown}` but it is {} field.",
                        with_article(&type_label(&field.field_type))
                    ),
                    "Delete it and create it again as Text.",
                    None,
                    Some(describe_field(field)),
                    now,
                ),
                field_name: None,
            }
        }
        FieldFinding::Typo(field) => {
            let shown = shown_name(field);
            FieldCheck {
                result: failed(
                    step,
                    CheckCode::FieldMisspelt,
                    format!("Found `{shown}`, which looks like a typo."),
                    "Delete it and create `icims_id` — renaming keeps the old internal name, so \
                     it would still not match.",
                    None,
                    Some(describe_field(field)),
                    now,
                ),
                field_name: None,
            }
        }
        FieldFinding::None => {
            let detail = format!(
                "GET /profiles/fields listed {} fields; none is labelled or named `icims_id`.",
                fields.len()
            );
            // Custom fields are listed only for people allowed to see them (`docs/namely-api.md`
            // §7): with a non-administrator's token, "not there" may mean "not shown".
            let me = namely.me().await.ok();
            let role = me
                .as_ref()
                .and_then(|p| clean_role(p.access_role.as_deref()));
            match (me.as_ref(), role) {
                (Some(me), Some(role)) if !role.eq_ignore_ascii_case("Administrator") => {
                    FieldCheck {
                        result: failed(
                            step,
                            CheckCode::FieldHidden,
                            format!(
                                "No field named `icims_id` is visible to {} ({role}).",
                                person_name(me)
                            ),
                            format!(
                                "Namely shows custom fields only to people allowed to see them. \
                                 Sign in as an active Administrator, then Check again. If the \
                                 field does not exist yet: {CREATE_FIELD_FIX}"
                            ),
                            Some(Field::NamelyToken),
                            Some(detail),
                            now,
                        ),
                        field_name: None,
                    }
                }
                _ => FieldCheck {
                    result: failed(
                        step,
                        CheckCode::FieldMissing,
                        "No field named `icims_id` yet.",
                        CREATE_FIELD_FIX,
                        None,
                        Some(detail),
                        now,
                    ),
                    field_name: None,
                },
            }
        }
    }
}

enum FieldFinding<'a> {
    Found {
        field: &'a namely::Field,
        notes: Vec<String>,
    },
    WrongType(&'a namely::Field),
    Typo(&'a namely::Field),
    None,
}

fn label_matches(f: &namely::Field) -> bool {
    f.label.trim().eq_ignore_ascii_case(ICIMS_FIELD)
}

fn name_matches(f: &namely::Field) -> bool {
    f.name.trim().eq_ignore_ascii_case(ICIMS_FIELD)
}

fn judge_fields(fields: &[namely::Field]) -> FieldFinding<'_> {
    // Label first (what a person typed in Namely), then name (the frozen API key).
    let exact: Vec<&namely::Field> = fields
        .iter()
        .filter(|f| label_matches(f))
        .chain(
            fields
                .iter()
                .filter(|f| name_matches(f) && !label_matches(f)),
        )
        .collect();
    let typo = fields.iter().find(|f| {
        !label_matches(f)
            && !name_matches(f)
            && (looks_like_misspelt_icims_id(&f.label) || looks_like_misspelt_icims_id(&f.name))
    });
    if let Some(field) = exact.iter().copied().find(|f| f.is_text()) {
        let mut notes = Vec::new();
        if field.name != ICIMS_FIELD {
            if label_matches(field) {
                notes.push(format!(
                    "Note: its internal name is `{}` (Namely keeps the name a field was created \
                     with when its label is renamed). This app writes to `{}`, so this works; \
                     Namely's own iCIMS integration expects the internal name `icims_id`.",
                    field.name, field.name
                ));
            } else {
                notes.push(format!(
                    "Note: it is found by its internal name `{}`; its label is `{}`.",
                    field.name,
                    field.label.trim()
                ));
            }
        } else if field.label.trim() != ICIMS_FIELD && label_matches(field) {
            notes.push(format!(
                "Note: its label is written `{}`; that is fine.",
                field.label.trim()
            ));
        }
        if let Some(t) = typo {
            notes.push(format!(
                "There is also a field `{}`, which is not used.",
                shown_name(t)
            ));
        }
        return FieldFinding::Found { field, notes };
    }
    if let Some(field) = exact.first() {
        return FieldFinding::WrongType(field);
    }
    match typo {
        Some(field) => FieldFinding::Typo(field),
        None => FieldFinding::None,
    }
}

/// The label as a person sees it in Namely, or the name when the label is empty.
fn shown_name(f: &namely::Field) -> &str {
    let label = f.label.trim();
    if label.is_empty() {
        f.name.trim()
    } else {
        label
    }
}

fn describe_field(f: &namely::Field) -> String {
    format!(
        "Namely field: label `{}`, internal name `{}`, type {}.",
        f.label.trim(),
        f.name,
        if f.field_type.is_empty() {
            "(none)"
        } else {
            &f.field_type
        }
    )
}

/// Namely's field type as its settings page names it.
fn type_label(field_type: &str) -> String {
    let t = field_type.trim().to_ascii_lowercase();
    match t.as_str() {
        "text" => "Text".into(),
        "longtext" => "Long Text".into(),
        "email" => "Email".into(),
        "date" => "Date".into(),
        "number" => "Number".into(),
        "select" => "Select".into(),
        "checkboxes" => "Checkboxes".into(),
        "address" => "Address".into(),
        "file" => "File".into(),
        "image" => "Image".into(),
        "salary" => "Salary".into(),
        "" => "an untyped".into(),
        _ => {
            let mut c = t.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect(),
                None => t,
            }
        }
    }
}

/// "a Number", "an Email".
fn with_article(label: &str) -> String {
    if label.starts_with("an ") {
        return label.to_string();
    }
    let vowel = label
        .chars()
        .next()
        .is_some_and(|c| "AEIOUaeiou".contains(c));
    format!("{} {label}", if vowel { "an" } else { "a" })
}

/// Whether a field label or name looks like a misspelling of `icims_id` (but is not it).
///
/// Both sides are normalised by lowercasing and dropping everything but letters and digits,
/// so `icims id`, `icims-id` and `iCIMS ID` all become `icimsid`; the result is compared with
/// `icimsid` by optimal-string-alignment (Damerau–Levenshtein) distance: at most 1 edit, or 2
/// when the text is at least as long as `icimsid`. Text that equals `icims_id` after trimming
/// and lowercasing is *not* a near miss (it is the field).
///
/// Deliberately conservative: a near miss tells the person to delete a field, so a false alarm
/// could cost them data, while a miss only means "create `icims_id`". Short words two edits
/// away (`cms_id`, `sims_id`, `icims`) and other ids (`icims_job_id`, `greenhouse_id`) are not
/// near misses.
pub fn looks_like_misspelt_icims_id(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.eq_ignore_ascii_case(ICIMS_FIELD) {
        return false;
    }
    let norm: Vec<char> = trimmed
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect();
    if norm.is_empty() {
        return false;
    }
    let target: Vec<char> = "icimsid".chars().collect();
    let d = osa_distance(&norm, &target);
    d <= 1 || (d == 2 && norm.len() >= target.len())
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and transpositions
/// of adjacent characters each cost 1.
fn osa_distance(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osa_counts_transpositions_once() {
        let d = |a: &str, b: &str| {
            osa_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("icmisid", "icimsid"), 1);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", "abc"), 0);
        assert_eq!(d("kitten", "sitting"), 3);
    }

    #[test]
    fn type_labels_with_articles() {
        assert_eq!(with_article(&type_label("number")), "a Number");
        assert_eq!(with_article(&type_label("email")), "an Email");
        assert_eq!(with_article(&type_label("longtext")), "a Long Text");
        assert_eq!(with_article(&type_label("weird")), "a Weird");
    }
}
