//! Optional parts of a profile that Namely may refuse on its own (the home address: any invalid
//! part gives a 422, `docs/namely-api.md` §5.3; the gender): a hire arrives on time without
//! them, *added with a warning*, instead of failing as a whole.

use crate::domain::ProfileDraft;

/// The draft without the optional parts Namely refused, and the words for the record — when
/// every error of a 422 is about an optional part (the home address, the gender) that the
/// draft has. `None` when anything required was refused too.
pub(super) fn without_refused_parts(
    draft: &ProfileDraft,
    error: &namely::Error,
) -> Option<(ProfileDraft, String)> {
    let namely::Error::Validation { errors, .. } = error else {
        return None;
    };
    let about = |e: &str, key: &str| {
        let e = e.trim_start().to_ascii_lowercase();
        e == key || e.starts_with(&format!("{key} ")) || e.starts_with(&format!("{key}."))
    };
    if errors.is_empty()
        || !errors
            .iter()
            .all(|e| about(e, "home") || about(e, "gender"))
    {
        return None;
    }
    let mut without = draft.clone();
    let mut parts = Vec::new();
    if errors.iter().any(|e| about(e, "home")) && without.home.take().is_some() {
        parts.push("the home address");
    }
    if errors.iter().any(|e| about(e, "gender")) && without.gender.take().is_some() {
        parts.push("the gender");
    }
    if parts.is_empty() {
        return None;
    }
    let why = format!(
        "— without {}: Namely refused it ({}). Add it in Namely by hand.",
        parts.join(" and "),
        errors.join("; ")
    );
    Some((without, why))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::HomeAddress;

    fn draft() -> ProfileDraft {
        ProfileDraft {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            email: "ann@acme.com".into(),
            user_status: ProfileDraft::ACTIVE.into(),
            start_date: time::macros::date!(2026 - 12 - 01),
            gender: Some("Female".into()),
            home: Some(HomeAddress {
                state_id: Some("XX".into()),
                ..HomeAddress::default()
            }),
            icims_id: "7".into(),
        }
    }

    fn refused(errors: &[&str]) -> namely::Error {
        namely::Error::Validation {
            message: "error creating profile".into(),
            errors: errors.iter().map(|e| (*e).to_string()).collect(),
        }
    }

    #[test]
    fn only_optional_parts_refused_are_dropped_with_the_reason() {
        let (without, why) =
            without_refused_parts(&draft(), &refused(&["home state_id 'XX' is not valid"]))
                .unwrap();
        assert_eq!(without.home, None);
        assert_eq!(without.gender.as_deref(), Some("Female"), "kept");
        assert_eq!(
            why,
            "— without the home address: Namely refused it (home state_id 'XX' is not valid). \
             Add it in Namely by hand."
        );
        let (without, why) = without_refused_parts(
            &draft(),
            &refused(&["gender 'X' is not valid", "home zip 'A' is not valid"]),
        )
        .unwrap();
        assert_eq!((without.home, without.gender), (None, None));
        assert!(
            why.starts_with("— without the home address and the gender"),
            "{why}"
        );
    }

    #[test]
    fn anything_required_refused_is_not_dropped() {
        for errors in [
            vec![
                "first_name is a required field",
                "home state_id 'XX' is not valid",
            ],
            vec!["email has already been taken"],
            vec!["homeward is not valid"],
            vec![],
        ] {
            assert!(
                without_refused_parts(&draft(), &refused(&errors)).is_none(),
                "{errors:?}"
            );
        }
        let no_home = ProfileDraft {
            home: None,
            ..draft()
        };
        assert!(
            without_refused_parts(&no_home, &refused(&["home is not valid"])).is_none(),
            "nothing to drop"
        );
        assert!(without_refused_parts(&draft(), &namely::Error::Unauthorized).is_none());
    }
}
