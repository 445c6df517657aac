//! The Namely index, the watermark and the iCIMS call budget.

use super::*;

#[test]
fn index_lookups_by_icims_id_and_email_ignoring_case() {
    let store = store_with(&["Acme", "Other"]);
    let acme = name("Acme");
    let mut p3 = index_entry("p3", None, Some("Jane.Doe@Acme.com"));
    p3.personal_email = Some("jane@home.example".into());
    let zoe = index_entry("p4", Some("77"), Some("ZOË@ACME.COM"));
    store
        .index_upsert(
            &acme,
            &[
                index_entry("p1", Some("9012"), Some("a@acme.com")),
                index_entry("p2", Some(" 9013 "), None),
                p3.clone(),
                zoe.clone(),
            ],
        )
        .unwrap();
    store
        .index_upsert(
            &name("Other"),
            &[index_entry("q1", Some("9012"), Some("a@acme.com"))],
        )
        .unwrap();

    let ids = |v: Vec<IndexEntry>| v.into_iter().map(|e| e.profile_id.0).collect::<Vec<_>>();
    assert_eq!(ids(store.index_by_icims_id(&acme, "9012").unwrap()), ["p1"]);
    assert_eq!(ids(store.index_by_icims_id(&acme, "9013").unwrap()), ["p2"]);
    assert!(store.index_by_icims_id(&acme, "901").unwrap().is_empty());
    assert!(store.index_by_icims_id(&acme, " ").unwrap().is_empty());
    assert_eq!(
        store.index_by_email(&acme, "jane.doe@acme.COM").unwrap(),
        vec![p3.clone()]
    );
    assert_eq!(
        store.index_by_email(&acme, " JANE@home.example").unwrap(),
        vec![p3]
    );
    assert_eq!(
        store.index_by_email(&acme, "zoë@acme.com").unwrap(),
        vec![zoe]
    );
    assert!(
        store
            .index_by_email(&acme, "nobody@acme.com")
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.index_all(&acme).unwrap().len(), 4);

    // Upsert by profile id: the icims_id gets set later.
    store
        .index_upsert(
            &acme,
            &[index_entry("p3", Some("555"), Some("jane.doe@acme.com"))],
        )
        .unwrap();
    assert_eq!(ids(store.index_by_icims_id(&acme, "555").unwrap()), ["p3"]);
    assert_eq!(store.index_all(&acme).unwrap().len(), 4);

    // Duplicates in Namely are all returned.
    store
        .index_upsert(&acme, &[index_entry("p9", Some("9012"), None)])
        .unwrap();
    assert_eq!(
        ids(store.index_by_icims_id(&acme, "9012").unwrap()),
        ["p1", "p9"]
    );

    // A full refresh replaces everything and records freshness.
    assert_eq!(store.index_meta(&acme).unwrap(), None);
    let meta = IndexMeta {
        refreshed_at: T0,
        profile_count: 1,
        full: true,
        listed_at: Some(T0),
    };
    store
        .index_replace_all(&acme, &[index_entry("p1", Some("9012"), None)], &meta)
        .unwrap();
    assert_eq!(ids(store.index_all(&acme).unwrap()), ["p1"]);
    assert_eq!(store.index_meta(&acme).unwrap(), Some(meta));
    let meta2 = IndexMeta {
        refreshed_at: T0 + time::Duration::hours(1),
        profile_count: 2,
        full: false,
        listed_at: None,
    };
    store.set_index_meta(&acme, &meta2).unwrap();
    assert_eq!(store.index_meta(&acme).unwrap(), Some(meta2));
    assert_eq!(store.index_all(&name("Other")).unwrap().len(), 1);

    // An incremental refresh upserts (keeping the others) and records freshness together.
    let meta3 = IndexMeta {
        refreshed_at: T0 + time::Duration::hours(2),
        profile_count: 2,
        full: true,
        listed_at: Some(T0),
    };
    store
        .index_refresh(
            &acme,
            &[
                index_entry("p1", Some("777"), None),
                index_entry("p2", None, None),
            ],
            &meta3,
        )
        .unwrap();
    assert_eq!(ids(store.index_all(&acme).unwrap()), ["p1", "p2"]);
    assert_eq!(ids(store.index_by_icims_id(&acme, "777").unwrap()), ["p1"]);
    assert!(store.index_by_icims_id(&acme, "9012").unwrap().is_empty());
    assert_eq!(store.index_meta(&acme).unwrap(), Some(meta3));
    assert!(store.index_refresh(&name("Nobody"), &[], &meta3).is_err());
}

#[test]
fn watermark_set_and_clear() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    assert_eq!(store.watermark(&acme).unwrap(), None);
    store
        .set_watermark(&acme, &Watermark { hired_since: T0 })
        .unwrap();
    let later = datetime!(2026-11-28 03:00 -5);
    store
        .set_watermark(&acme, &Watermark { hired_since: later })
        .unwrap();
    assert_eq!(
        store.watermark(&acme).unwrap(),
        Some(Watermark { hired_since: later })
    );
    store.clear_watermark(&acme).unwrap();
    assert_eq!(store.watermark(&acme).unwrap(), None);
}

#[test]
fn icims_budget_per_utc_day() {
    let store = store_with(&["Acme"]);
    let acme = name("Acme");
    let day = date!(2026 - 11 - 27);
    assert_eq!(store.icims_budget(&acme, day).unwrap(), None);
    assert_eq!(store.add_icims_calls(&acme, day, 5).unwrap(), 5);
    assert_eq!(store.add_icims_calls(&acme, day, 3).unwrap(), 8);
    store
        .record_icims_budget(&acme, day, 120, Some(9880), Some(10_000))
        .unwrap();
    assert_eq!(store.add_icims_calls(&acme, day, 1).unwrap(), 121);
    assert_eq!(
        store.icims_budget(&acme, day).unwrap(),
        Some(IcimsBudget {
            day,
            calls_spent: 121,
            remaining: Some(9880),
            limit: Some(10_000)
        })
    );
    let next = date!(2026 - 11 - 28);
    assert_eq!(store.icims_budget(&acme, next).unwrap(), None);
    let raw: String = store
        .read(|c| Ok(c.query_row("SELECT day FROM icims_budget", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(raw, "2026-11-27");
    let json = serde_json::to_string(&store.icims_budget(&acme, day).unwrap().unwrap()).unwrap();
    assert!(json.contains("\"day\":\"2026-11-27\""), "{json}");
}
