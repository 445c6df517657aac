//! A Kubernetes CronJob (`batch/v1`): one pod per run, the data folder on a
//! PersistentVolumeClaim, the secrets from a Secret mounted as files.

use super::{
    Cadence, KUBERNETES_DATA_DIR, KUBERNETES_SECRETS_DIR, SECRETS_DIR_ENV, UnitError, UnitFormat,
    UnitRequest, secret_file_name, sh_quote, slug,
};
use crate::domain::SecretKind;
use crate::paths::HOME_ENV;
use std::fmt::Write as _;

/// A CronJob's name may have at most 52 characters (its Jobs add 11).
const CRONJOB_NAME_MAX: usize = 52;
const PREFIX: &str = "icims-namely-";

/// The CronJob's (and its Secret's) name: `icims-namely-acme`, `icims-namely-acme-corp-1f3a9c2e`.
pub(super) fn object_name(connection: &str) -> String {
    format!(
        "{PREFIX}{}",
        slug(connection, CRONJOB_NAME_MAX - PREFIX.len())
    )
}

/// A time zone name of the tz database (`Europe/Berlin`, `UTC`), else `None`.
pub(super) fn time_zone(tz: Option<&str>) -> Option<&str> {
    let tz = tz?.trim();
    let ok = !tz.is_empty()
        && tz.len() <= 64
        && !tz.starts_with('/')
        && !tz.split('/').any(|part| part.is_empty() || part == "..")
        && tz
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c));
    // Kubernetes takes names of the tz database only (not POSIX rules like `CET-1CEST`).
    (ok && jiff::tz::db().get(tz).is_ok()).then_some(tz)
}

pub(super) fn render(
    req: &UnitRequest<'_>,
    cadence: Cadence,
    image: &str,
) -> Result<String, UnitError> {
    let schedule = cadence.cron_fields(UnitFormat::Kubernetes)?;
    let name = object_name(req.connection);
    let mount = req
        .secrets_dir
        .map(|d| d.trim_end_matches('/'))
        .filter(|d| !d.is_empty())
        .unwrap_or(KUBERNETES_SECRETS_DIR);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# A Kubernetes CronJob that runs `icims-namely sync {}` {}.",
        sh_quote(req.connection),
        cadence.words()
    );
    s.push_str("# First store the two secrets in a Secret (each file holds one value):\n");
    let _ = writeln!(s, "#   kubectl create secret generic {name} \\");
    for (i, kind) in SecretKind::REQUIRED.into_iter().enumerate() {
        let end = if i + 1 == SecretKind::REQUIRED.len() {
            ""
        } else {
            " \\"
        };
        let _ = writeln!(s, "#     --from-file={k}=./{k}{end}", k = kind.as_str());
    }
    for kind in SecretKind::ALL.into_iter().filter(|k| k.is_optional()) {
        let _ = writeln!(
            s,
            "#   (optional, the {}: add --from-file={k}=./{k} and uncomment its item below)",
            kind.label(),
            k = kind.as_str()
        );
    }
    s.push_str(
        "# and make a PersistentVolumeClaim named icims-namely-data for the data folder; then:\n",
    );
    s.push_str("#   kubectl apply -f this-file.yaml\n");
    s.push_str("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n");
    let _ = writeln!(s, "  name: {name}");
    s.push_str("  labels:\n    app.kubernetes.io/name: icims-namely\n");
    s.push_str("  annotations:\n");
    let _ = writeln!(s, "    icims-namely/connection: {}", yaml(req.connection));
    s.push_str("spec:\n");
    let _ = writeln!(s, "  schedule: {}", yaml(&schedule));
    match time_zone(req.time_zone) {
        Some(tz) => {
            let _ = writeln!(s, "  timeZone: {}", yaml(tz));
        }
        None => s.push_str(
            "  # This computer's time zone could not be told: change it to yours (Europe/Berlin).\n  \
             timeZone: \"Etc/UTC\"\n",
        ),
    }
    s.push_str("  # One run at a time; a run that could not start in time is skipped.\n");
    s.push_str("  concurrencyPolicy: Forbid\n");
    let _ = writeln!(
        s,
        "  startingDeadlineSeconds: {}",
        cadence.seconds().min(3600)
    );
    s.push_str("  successfulJobsHistoryLimit: 3\n  failedJobsHistoryLimit: 3\n");
    s.push_str("  jobTemplate:\n    spec:\n");
    s.push_str(
        "      # The next scheduled run retries what failed; no retry in between.\n      \
         backoffLimit: 0\n",
    );
    s.push_str("      template:\n        spec:\n          restartPolicy: Never\n");
    s.push_str(
        "          # Any user but root; fsGroup lets it read the secret files and write /data.\n",
    );
    s.push_str(
        "          securityContext:\n            runAsNonRoot: true\n            \
         runAsUser: 10001\n            runAsGroup: 10001\n            fsGroup: 10001\n",
    );
    s.push_str("          containers:\n            - name: sync\n");
    if image == super::PLACEHOLDER_IMAGE {
        s.push_str(
            "              # A placeholder: an image with the icims-namely binary on its PATH \
             (print again with --image IMAGE).\n",
        );
    }
    let _ = writeln!(s, "              image: {}", yaml(image));
    let _ = writeln!(
        s,
        "              args: [\"icims-namely\", \"sync\", {}]",
        yaml(req.connection)
    );
    s.push_str("              env:\n");
    for (key, value) in [(HOME_ENV, KUBERNETES_DATA_DIR), (SECRETS_DIR_ENV, mount)] {
        let _ = writeln!(
            s,
            "                - name: {key}\n                  value: {}",
            yaml(value)
        );
    }
    s.push_str("              volumeMounts:\n");
    let _ = writeln!(
        s,
        "                - name: data\n                  mountPath: {}",
        yaml(KUBERNETES_DATA_DIR)
    );
    let _ = writeln!(
        s,
        "                - name: secrets\n                  mountPath: {}\n                  \
         readOnly: true",
        yaml(mount)
    );
    s.push_str("          volumes:\n            - name: data\n");
    s.push_str(
        "              persistentVolumeClaim:\n                claimName: icims-namely-data\n",
    );
    s.push_str("            - name: secrets\n              secret:\n");
    let _ = writeln!(s, "                secretName: {name}");
    s.push_str(
        "                # 0400 in octal: only the pod's user (and its fsGroup) may read them.\n",
    );
    s.push_str("                defaultMode: 256\n");
    s.push_str(
        "                # Each key becomes the file the sync looks for: <connection>.<kind>.\n",
    );
    s.push_str("                items:\n");
    for kind in SecretKind::ALL {
        // A key missing from the Secret stops the pod: the optional ones are commented out.
        let mark = if kind.is_optional() { "# " } else { "" };
        let _ = writeln!(
            s,
            "                  {mark}- key: {}\n                  {mark}  path: {}",
            kind.as_str(),
            yaml(&secret_file_name(req.connection, kind))
        );
    }
    Ok(s)
}

/// A YAML double-quoted scalar (control characters were refused before).
pub(super) fn yaml(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', r"\\").replace('"', "\\\""))
}
