//! Setup progress, secret dates and owner candidates; no column for a secret.

use super::*;

#[test]
fn checks_record_latest_and_resume_point() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    assert_eq!(
        store.resume_step(&acme).unwrap(),
        Some(SetupStep::NamelyField)
    );

    store
        .record_check(
            &acme,
            &check(SetupStep::NamelySignIn, true, "Signed in", T0),
        )
        .unwrap();
    store
        .record_check(&acme, &check(SetupStep::NamelyField, false, "No field", T0))
        .unwrap();
    assert_eq!(
        store.resume_step(&acme).unwrap(),
        Some(SetupStep::NamelyField)
    );

    let later = T0 + time::Duration::minutes(5);
    store
        .record_check(
            &acme,
            &check(SetupStep::NamelyField, true, "Found the field", later),
        )
        .unwrap();
    assert_eq!(store.resume_step(&acme).unwrap(), Some(SetupStep::Owner));

    let checks = store.checks(&acme).unwrap();
    assert_eq!(
        checks,
        vec![
            check(SetupStep::NamelyField, true, "Found the field", later),
            check(SetupStep::NamelySignIn, true, "Signed in", T0),
        ],
        "one row per step, latest wins, wizard order"
    );

    for step in [SetupStep::Owner, SetupStep::Icims, SetupStep::Review] {
        store
            .record_check(&acme, &check(step, true, "ok", T0))
            .unwrap();
    }
    assert_eq!(store.resume_step(&acme).unwrap(), None);
    store
        .record_check(&acme, &check(SetupStep::Icims, false, "Wrong key", T0))
        .unwrap();
    assert_eq!(store.resume_step(&acme).unwrap(), Some(SetupStep::Icims));

    // The code is kept beside the words; a row from before version 3 has none.
    let failed = store.checks(&acme).unwrap();
    let icims = failed.iter().find(|c| c.step == SetupStep::Icims).unwrap();
    assert_eq!(icims.code, Some(CheckCode::IcimsCredentialsRefused));
    store
        .write(|tx| {
            tx.execute(
                "UPDATE setup_checks SET code = NULL WHERE step = 'icims'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let old = store.checks(&acme).unwrap();
    let icims = old.iter().find(|c| c.step == SetupStep::Icims).unwrap();
    assert_eq!((icims.code, icims.passed), (None, false));
}

#[test]
fn secret_meta_dates_only() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    store
        .set_secret_meta(&acme, SecretKind::NamelyToken, T0)
        .unwrap();
    store
        .set_secret_meta(&acme, SecretKind::IcimsHmacKey, T0)
        .unwrap();
    let later = T0 + time::Duration::days(1);
    store
        .set_secret_meta(&acme, SecretKind::IcimsHmacKey, later)
        .unwrap();
    assert_eq!(
        store.secret_meta(&acme).unwrap(),
        vec![
            SecretMeta {
                kind: SecretKind::IcimsHmacKey,
                saved_at: later
            },
            SecretMeta {
                kind: SecretKind::NamelyToken,
                saved_at: T0
            },
        ]
    );
    assert!(
        store
            .remove_secret_meta(&acme, SecretKind::NamelyToken)
            .unwrap()
    );
    assert!(
        !store
            .remove_secret_meta(&acme, SecretKind::NamelyToken)
            .unwrap()
    );
    assert_eq!(store.secret_meta(&acme).unwrap().len(), 1);
    // A kind this version does not know, written by hand, is refused on reading.
    store
        .write(|tx| {
            tx.execute(
                "UPDATE secret_meta SET kind = 'Bearer abc.def' WHERE connection = 'Acme'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    assert!(store.secret_meta(&acme).is_err());
}

#[test]
fn no_table_has_a_column_for_a_secret() {
    let store = store_with(&[]);
    let columns: Vec<String> = store
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT m.name || '.' || p.name FROM sqlite_master m \
                 JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap();
    assert!(columns.len() > 40, "{columns:?}");
    for col in &columns {
        for word in ["secret_value", "token", "hmac", "password", "key_value"] {
            assert!(!col.contains(word), "{col}");
        }
    }
}

#[test]
fn owner_candidates_upsert_and_sort() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    let mut olivia = OwnerCandidate {
        profile_id: NamelyProfileId("o1".into()),
        full_name: "Olivia Owner".into(),
        email: Some("olivia@acme.com".into()),
        access_role: Some("Employee".into()),
        user_status: "active".into(),
        verified_at: T0,
    };
    let adam = OwnerCandidate {
        profile_id: NamelyProfileId("a1".into()),
        full_name: "Adam Admin".into(),
        email: None,
        access_role: None,
        user_status: "inactive".into(),
        verified_at: T0,
    };
    store.upsert_owner_candidate(&acme, &olivia).unwrap();
    store.upsert_owner_candidate(&acme, &adam).unwrap();
    olivia.access_role = Some("Administrator".into());
    olivia.verified_at = T0 + time::Duration::hours(1);
    store.upsert_owner_candidate(&acme, &olivia).unwrap();
    assert_eq!(store.owner_candidates(&acme).unwrap(), vec![adam, olivia]);
}
