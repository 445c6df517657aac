// A stateful fake of the Rust backend, injected into the page before the app loads
// (page.addInitScript). It installs what `mockIPC` from @tauri-apps/api/mocks installs —
// `window.__TAURI_INTERNALS__` with invoke, transformCallback, callbacks and the event plugin —
// and implements every command of ui/src/ipc/commands.ts with realistic data.
//
// Tests steer it through `window.__fake`:
//   __fake.pause(key) / __fake.step(key, n) / __fake.resume(key)  hold a command (key = its name)
//       or the sync's progress checkpoints (key "sync") until the test lets them go; a sync
//       asked to stop (cancel_sync) stops at its next checkpoint between hires, as the backend
//       stops after the record in flight;
//   __fake.set(connection, patch)  change what "Namely"/"iCIMS" would answer (e.g. the field);
//   __fake.calls                    every command received, with its arguments;
//   __fake.emitted                  every backend event sent (`sync-progress`, `sync-finished`);
//   __fake.emit(event, payload)     send a backend event, e.g. the end of a scheduled run;
//   __fake.pauseFromTray()          pause schedules as the tray menu does (state, then event);
//   __fake.answerSignIn(connection, answer)  Namely's answer to the waiting Sign in with Namely:
//       "accept", "deny" or "timeout" (a cancel_namely_sign_in answers "cancel").
// The scenario comes from `window.__FAKE_SCENARIO__` (set by an earlier init script). Besides
// the stage, field and owners, a connection spec may ask for: hires who started before the
// start-from date (`hires.past`, counted as left out and in `start_from_choices` after a
// preview), possible matches (`hires.review` by email, `hires.maybe` by name and start date,
// `hires.dupe` with nothing to link) and `reviews: true` to leave them waiting for open_reviews;
// `owners: "unknown"` for a person whose access role Namely does not report; `tokenOwner` for
// whose token is saved ("olivia-token", "sam-token", "riley-token" sign in as that person);
// `unmatched` / `readAgain` for the dashboard's warnings; `preflight: <RunErrorCode>` to make
// every run end as not started; `oauth: "<client id>"` for a connection signed in with Namely
// (no token); `portBusy: true` (through __fake.set) when the redirect URI's port is taken.
//
// It stays a plain script (no imports at run time), but `npm run check` type-checks it
// against the interface generated from the Rust side (ui/src/ipc/commands.ts and bindings.ts,
// see tests/tsconfig.json): `commands` must implement exactly the commands of `Commands`, with
// their argument names and answers, and `emit` sends only the events of `Events`. When the
// backend's surface changes, this file fails the check until the fake follows.
// @ts-check

/**
 * @typedef {import("../../src/ipc/commands").Commands} Commands
 * @typedef {import("../../src/ipc/commands").Events} Events
 * @typedef {import("../../src/ipc/bindings").CheckCode} CheckCode
 * @typedef {import("../../src/ipc/bindings").CheckResult} CheckResult
 * @typedef {import("../../src/ipc/bindings").ConnectionDetails} ConnectionDetails
 * @typedef {import("../../src/ipc/bindings").ConnectionSummary} ConnectionSummary
 * @typedef {import("../../src/ipc/bindings").Counts} Counts
 * @typedef {import("../../src/ipc/bindings").ErrorCode} ErrorCode
 * @typedef {import("../../src/ipc/bindings").RunErrorCode} RunErrorCode
 * @typedef {import("../../src/ipc/bindings").Field} Field
 * @typedef {import("../../src/ipc/bindings").Health} Health
 * @typedef {import("../../src/ipc/bindings").IcimsInput} IcimsInput
 * @typedef {import("../../src/ipc/bindings").IcimsRegion} IcimsRegion
 * @typedef {import("../../src/ipc/bindings").IpcError} IpcError
 * @typedef {import("../../src/ipc/bindings").OutcomeKind} OutcomeKind
 * @typedef {import("../../src/ipc/bindings").OwnerCandidate} OwnerCandidate
 * @typedef {import("../../src/ipc/bindings").OwnerStep} OwnerStep
 * @typedef {import("../../src/ipc/bindings").PermalinkView} PermalinkView
 * @typedef {import("../../src/ipc/bindings").RecordView} RecordView
 * @typedef {import("../../src/ipc/bindings").ReviewItem} ReviewItem
 * @typedef {import("../../src/ipc/bindings").RoleConfirmationView} RoleConfirmationView
 * @typedef {import("../../src/ipc/bindings").StartFromChoices} StartFromChoices
 * @typedef {import("../../src/ipc/bindings").RunDetails} RunDetails
 * @typedef {import("../../src/ipc/bindings").Schedule} Schedule
 * @typedef {import("../../src/ipc/bindings").SettingsView} SettingsView
 * @typedef {import("../../src/ipc/bindings").SetupStep} SetupStep
 * @typedef {import("../../src/ipc/bindings").SignInResult} SignInResult
 * @typedef {import("../../src/ipc/bindings").StepStatus} StepStatus
 * @typedef {import("../../src/ipc/bindings").SyncPhase} SyncPhase
 * @typedef {import("../../src/ipc/bindings").Trigger} Trigger
 */

/**
 * One handler per command of the backend, and no other: a missing or unknown command, an
 * argument the command does not declare, or an answer of the wrong shape fails the check.
 * @typedef {{ [K in keyof Commands]: (args: Commands[K]["args"]) => Commands[K]["returns"] | Promise<Commands[K]["returns"]> }} Handlers
 */

/**
 * The fake's own state (never sent as is).
 * @typedef {"new" | "already" | "review" | "invalid" | "fail"} HireKind
 * The Namely profile a hire that needs review may already be (`byEmail`: it holds the hire's
 * email, so even Create anyway leaves the hire in review — one mailbox, one profile).
 * @typedef {{ profile_id: string, name: string, email: string, byEmail: boolean }} Match
 * @typedef {{ person_id: number, name: string, email: string | null, start: Date, kind: HireKind, match?: Match | null, reason?: string }} Hire
 * `past`: new hires who started 3, 40, 77, … days ago (left out before the start-from date);
 * `review`: email already on a profile without icims_id; `maybe`: a profile with the same name
 * and start date; `dupe`: the same email as another hire of the run (no profile to link).
 * `hostile`: a hire whose last name in iCIMS is 10,000 characters (invalid; the history keeps
 * the name cut at 120 characters, as the engine does).
 * @typedef {{ total?: number, new?: number, fail?: number, review?: number, invalid?: number, past?: number, maybe?: number, dupe?: number, hostile?: number }} HirePlan
 * @typedef {"found" | "missing" | "typo" | "number" | "hidden"} FieldState
 * @typedef {"olivia" | "sam" | "alex" | "riley"} OwnerKey
 * @typedef {"ok" | "none" | "unknown"} OwnerSet
 * @typedef {"new" | "field" | "sign_in" | "owner" | "icims" | "review" | "done"} Stage
 * @typedef {Omit<StepStatus, "step">} StepRecord
 * @typedef {RunDetails & { retried?: boolean }} FakeRun
 * @typedef {{
 *   name: string, permalink?: string, sandbox?: boolean, company?: string, stage?: Stage,
 *   token?: string | null, icimsRegion?: IcimsRegion, hired?: string[], schedule?: Schedule,
 *   field?: FieldState, owners?: OwnerSet, hires?: HirePlan, history?: boolean,
 *   failedRun?: RunErrorCode,
 *   startFrom?: string, tokenOwner?: OwnerKey, unmatched?: string[], readAgain?: string,
 *   reviews?: boolean, preflight?: RunErrorCode, stretch?: string, oauth?: string,
 * }} ConnectionSpec
 * @typedef {{
 *   delayMs?: number, syncStepMs?: number, field?: FieldState, owners?: OwnerSet,
 *   keychainPersistent?: boolean, schedulesPaused?: boolean, connections?: ConnectionSpec[],
 * }} Scenario
 * @typedef {{
 *   name: string, permalink: string, web_url: string, sandbox: boolean,
 *   company: string, company_known: boolean,
 *   token: string | null, tokenSavedAt: string, hmac: string | null, hmacSavedAt: string,
 *   icims: { customer_id: string | null, username: string | null, region: IcimsRegion },
 *   expect: { customer_id: string, username: string, key: string, region: IcimsRegion },
 *   hired: string[], schedule: Schedule, field: FieldState, owners: OwnerSet,
 *   owner: string | null, steps: Record<SetupStep, StepRecord>, hires: Hire[], running: boolean,
 *   cancel: boolean,
 *   startFrom: string, readAgain: string | null, unmatched: string[], signedIn: string | null,
 *   reads?: number | null,
 *   oauth: string | null, oauthSavedAt: string, pending: PendingSignIn | null, portBusy?: boolean,
 *   confirmation: RoleConfirmationView | null, preflight: RunErrorCode | null,
 *   stretch: string | null,
 * }} Connection
 * @typedef {{ paused: boolean, credits: number, waiters: Array<() => void> }} Gate
 * @typedef {"accept" | "deny" | "timeout" | "cancel"} SignInAnswer
 * A Sign in with Namely begun and not finished: Namely's answer arrives through `answer`.
 * @typedef {{ clientId: string, secret: string, answered: Promise<SignInAnswer>, answer: (a: SignInAnswer) => void, finishing: boolean }} PendingSignIn
 */

(() => {
  "use strict";
  /** The page's globals this script reads and sets (`__FAKE_SCENARIO__`, `__FAKE_CANARIES__`, `__fake`, Tauri's internals). */
  const win = /** @type {any} */ (window);
  /** @type {Scenario} */
  const scenario = win.__FAKE_SCENARIO__ || {};
  // The secrets it accepts are canaries of crates/sandbox/canaries.txt (the harness passes them
  // in): the canary scan fails if one shows up in the window's text or storage. The sandbox's
  // demo values are the real simulators' ones.
  /** @type {Record<string, string>} */
  const canaries = win.__FAKE_CANARIES__ || {};
  /** @param {string} name */
  const canary = (name) => {
    const value = canaries[name];
    if (!value) throw new Error(`no canary ${name}: the harness passes crates/sandbox/canaries.txt`);
    return value;
  };
  const GOOD_TOKEN = canary("browser-namely-token");
  const GOOD_KEY = canary("browser-icims-hmac-key");
  const DEMO_TOKEN = canary("namely-demo-token-owner");
  const DEMO_KEY = canary("icims-demo-hmac-key");
  // Sign in with Namely: the application registered in "Namely" (the sandbox's demo one too).
  const GOOD_CLIENT_ID = "icims-namely-acme";
  const GOOD_CLIENT_SECRET = canary("browser-namely-client-secret");
  const DEMO_CLIENT_ID = "sandbox-oauth-client";
  const DEMO_CLIENT_SECRET = canary("namely-demo-oauth-client-secret");
  const REDIRECT_URI = "http://127.0.0.1:47600/namely/callback";
  const DELAY = scenario.delayMs ?? 40;
  /** @param {number} ms */
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // ---------- time helpers (everything relative to "now", in the page's zone) ----------
  const now = () => new Date();
  /** @param {Date} d */
  const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
  /**
   * Today (plus `days`) at hh:mm local time.
   * @param {number} days @param {number} hh @param {number} mm
   */
  function localAt(days, hh, mm) {
    const d = new Date();
    d.setDate(d.getDate() + days);
    d.setHours(hh, mm, 0, 0);
    return d;
  }
  /** @param {Date} d @param {number} s */
  const addSeconds = (d, s) => new Date(d.getTime() + s * 1000);
  /** @param {Date} d */
  const longDate = (d) => new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" }).format(d);
  /** The local calendar day of `d`, `YYYY-MM-DD`. @param {Date} d */
  const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  /** `YYYY-MM-DD` as local midnight; null when it is not a real day. @param {string} text */
  function parseDay(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
    if (!m) return null;
    const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return ymd(d) === text.trim() ? d : null;
  }
  /** "28 Oct 2026" for a `YYYY-MM-DD`. @param {string} day */
  const longDay = (day) => longDate(parseDay(day) ?? new Date(day));

  // ---------- people ----------
  const FIRST = ["Jane", "Omar", "Priya", "Lucas", "Mei", "Tom", "Ana", "Kofi", "Sara", "Ivan", "Lena", "Raj", "Nora", "Ben", "Yuki", "Eva"];
  const LAST = ["Doe", "Haddad", "Nair", "Silva", "Chen", "Baker", "Costa", "Mensah", "Berg", "Petrov", "Vogel", "Rao", "Quinn", "Ortiz", "Sato", "Novak"];
  /** @param {number} i */
  function person(i) {
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
    return { name: `${first} ${last}`, email: `${first}.${last}${i >= 256 ? i : ""}@example.com`.toLowerCase() };
  }

  /**
   * The hires iCIMS would return. kind: new | already | review | invalid | fail
   * @param {number} total @param {HirePlan} plan
   * @returns {Hire[]}
   */
  function makeHires(total, plan) {
    /** @type {Hire[]} */
    const hires = [];
    let i = 0;
    /** @param {HireKind} kind @param {Partial<Hire>} extra */
    const push = (kind, extra = {}) => {
      const p = person(i);
      const start = localAt(5 + (i % 20), 0, 0);
      hires.push({ person_id: 9000 + i, name: p.name, email: p.email, start, kind, ...extra });
      i += 1;
    };
    for (let k = 0; k < (plan.new ?? 0); k++) push("new");
    for (let k = 0; k < (plan.fail ?? 0); k++) push("fail");
    for (let k = 0; k < (plan.review ?? 0); k++) {
      const p = person(i);
      const [first, last] = p.name.split(" ");
      push("review", { match: { profile_id: `np-m-${9000 + i}`, name: `${first} D. ${last}`, email: p.email, byEmail: true } });
    }
    for (let k = 0; k < (plan.invalid ?? 0); k++) push("invalid", { email: null });
    for (let k = 0; k < (plan.hostile ?? 0); k++) {
      push("invalid", {
        name: `Hostile ${"X".repeat(112)}…`,
        reason: `Invalid: the last name "${"X".repeat(40)}…" (10000 characters) in iCIMS is longer than the 255 characters a name may have — correct it on the candidate`,
      });
    }
    for (let k = 0; k < (plan.past ?? 0); k++) push("new", { start: localAt(-(3 + 37 * k), 0, 0) });
    for (let k = 0; k < (plan.maybe ?? 0); k++) {
      const p = person(i);
      const company = `${p.name.split(" ")[0].toLowerCase()}@acme.example`;
      push("review", { match: { profile_id: `np-m-${9000 + i}`, name: p.name, email: company, byEmail: false } });
    }
    for (let k = 0; k < (plan.dupe ?? 0); k++) push("review", { email: hires[0]?.email ?? null, match: null });
    while (hires.length < total) push("already");
    return hires;
  }

  /** @type {Record<OwnerKey, Omit<OwnerCandidate, "verified_at">>} */
  const OWNERS = {
    olivia: { profile_id: "p-olivia", full_name: "Olivia Owner", email: "olivia@acme.example", access_role: "Administrator", user_status: "active", verdict: "can_own", reason: "✓ can own" },
    sam: { profile_id: "p-sam", full_name: "Sam Staff", email: "sam@acme.example", access_role: "Employee", user_status: "active", verdict: "not_administrator", reason: "✗ not an Administrator" },
    alex: { profile_id: "p-alex", full_name: "Alex Former", email: "alex@acme.example", access_role: "Administrator", user_status: "inactive", verdict: "inactive", reason: "✗ inactive in Namely" },
    riley: { profile_id: "p-riley", full_name: "Riley Roe", email: "riley@acme.example", access_role: null, user_status: "active", verdict: "role_unknown", reason: "? could not verify the access role — confirm in Namely that this user is an Administrator" },
  };
  /** @type {Record<OwnerSet, OwnerKey[]>} */
  const OWNER_SETS = { ok: ["olivia", "sam", "alex"], none: ["sam", "alex"], unknown: ["riley", "sam"] };

  /** @type {SetupStep[]} */
  const STEPS = ["namely_field", "namely_sign_in", "owner", "icims", "review"];
  /** @type {Record<Stage, number>} */
  const STAGES = { new: 0, field: 0, sign_in: 1, owner: 2, icims: 3, review: 4, done: 5 };

  // ---------- state ----------
  const state = {
    /** @type {Map<string, Connection>} */
    connections: new Map(),
    /** @type {FakeRun[]} */
    runs: [],
    nextRunId: 1,
    /** @type {import("../../src/ipc/bindings").BackgroundState} */
    background: { schedules_paused: !!scenario.schedulesPaused, start_at_login: false, start_at_login_problem: null },
  };

  /**
   * @param {ConnectionSpec} spec
   * @returns {Connection}
   */
  function makeConnection(spec) {
    const stage = STAGES[spec.stage ?? "new"];
    const checked = iso(localAt(0, 8, 30) < now() ? localAt(0, 8, 30) : addSeconds(now(), -3600));
    const permalink = spec.permalink ?? spec.name.toLowerCase();
    const sandbox = !!spec.sandbox;
    /** @type {Connection} */
    const conn = {
      name: spec.name,
      permalink,
      web_url: sandbox ? "http://127.0.0.1:47811" : `https://${permalink}.namely.com`,
      sandbox,
      company: spec.company ?? "Acme Corp",
      company_known: stage >= 2,
      token: spec.oauth ? null : spec.token ?? (stage >= 1 || spec.stage === "field" ? GOOD_TOKEN : null),
      oauth: spec.oauth ?? null,
      oauthSavedAt: iso(localAt(-1, 10, 0)),
      pending: null,
      tokenSavedAt: iso(localAt(-1, 10, 0)),
      hmac: stage >= 4 ? GOOD_KEY : null,
      hmacSavedAt: iso(localAt(-1, 10, 5)),
      icims: stage >= 4 ? { customer_id: "4711", username: "api_acme", region: "us" } : { customer_id: null, username: null, region: "us" },
      expect: sandbox
        ? { customer_id: "1001", username: "sandbox_api", key: DEMO_KEY, region: "us" }
        : { customer_id: "4711", username: "api_acme", key: GOOD_KEY, region: spec.icimsRegion ?? "us" },
      hired: spec.hired ?? ["Hired"],
      schedule: spec.schedule ?? { kind: "off" },
      field: spec.field ?? scenario.field ?? "found",
      owners: spec.owners ?? scenario.owners ?? "ok",
      owner: stage >= 3 ? "p-olivia" : null,
      steps: /** @type {Record<SetupStep, StepRecord>} */ ({}),
      hires: makeHires(spec.hires?.total ?? 13, spec.hires ?? { new: 9, review: 1, invalid: 1 }),
      running: false,
      cancel: false,
      startFrom: spec.startFrom ?? ymd(localAt(-30, 0, 0)),
      readAgain: spec.readAgain ?? null,
      unmatched: spec.unmatched ?? [],
      signedIn: stage >= 1 ? OWNERS[spec.tokenOwner ?? OWNER_SETS[spec.owners ?? scenario.owners ?? "ok"][0]].profile_id : null,
      confirmation: null,
      preflight: spec.preflight ?? null,
      // The scheduler's words when the iCIMS budget stretches the schedule.
      stretch: spec.stretch ?? null,
    };
    for (const [i, step] of STEPS.entries()) {
      conn.steps[step] = i < stage
        ? { state: "passed", code: "passed", message: passedMessage(conn, step), checked_at: checked }
        : { state: "not_started", code: null, message: null, checked_at: null };
    }
    return conn;
  }

  /** @param {Connection} conn @param {SetupStep} step */
  function passedMessage(conn, step) {
    switch (step) {
      case "namely_field": return "Found the field `icims_id` (Text).";
      case "namely_sign_in": return `Signed in to ${conn.company} as Olivia Owner (Administrator)`;
      case "owner": return "Olivia Owner owns the integration: an active Administrator.";
      case "icims": return `Connected to iCIMS customer ${conn.expect.customer_id} as ${conn.expect.username}.`;
      default: return "First sync finished.";
    }
  }

  // ---------- errors and views ----------
  /**
   * An IpcError, as every failing command rejects with.
   * @param {ErrorCode} code @param {string} message @param {Field | null} field
   * @returns {IpcError}
   */
  const fail = (code, message, field = null) => ({ code, message, field });
  /** @param {string} name */
  function get(name) {
    const c = state.connections.get(name);
    if (!c) throw fail("not_found", `There is no company called "${name}" in the app.`);
    return c;
  }
  /** @param {Connection} c */
  const allPassed = (c) => STEPS.every((s) => c.steps[s].state === "passed");
  /** @param {Connection} c @returns {Health} */
  const health = (c) => ({
    setup_complete: allPassed(c),
    owner_valid: c.steps.owner.state === "passed",
    icims_key_set: !!c.hmac,
    namely_token_set: !!c.token || !!c.oauth,
  });
  /** @param {Connection} c @returns {SettingsView} */
  function settings(c) {
    return {
      name: c.name,
      namely_permalink: c.permalink,
      namely_web_url: c.web_url,
      icims_customer_id: c.icims.customer_id,
      icims_username: c.icims.username,
      icims_region: c.icims.region,
      hired_statuses: [...c.hired],
      schedule: c.schedule,
      icims_field_name: c.steps.namely_field.state === "passed" ? "icims_id" : null,
      owner_profile_id: c.owner,
      sandbox: c.sandbox,
      start_from: c.startFrom,
      read_again_reason: c.readAgain,
      unmatched_statuses: [...c.unmatched],
      owner_role_confirmation: c.confirmation && c.confirmation.profile_id === c.owner ? { ...c.confirmation } : null,
      icims_concurrency: c.reads ?? 4,
      icims_concurrency_default: c.reads == null,
      namely_client_id: c.oauth,
      namely_redirect_uri: REDIRECT_URI,
    };
  }
  /** What the dashboard warns about besides setup, in the backend's words. @param {Connection} c */
  function warnings(c) {
    /** @type {string[]} */
    const out = [];
    if (c.unmatched.length) {
      const list = c.unmatched.map((s) => `"${s}"`).join(", ");
      out.push(`No iCIMS workflow was in the hired status ${list} since the start-from date ${longDay(c.startFrom)}: check the spelling in Settings, or remove a status this company does not use.`);
    }
    if (c.readAgain) out.push(`The next sync reads iCIMS again from the start-from date ${longDay(c.startFrom)} because ${c.readAgain}.`);
    return out;
  }
  /** @param {Connection} c @returns {ConnectionDetails} */
  function details(c) {
    return {
      settings: settings(c),
      company_name: c.company_known ? c.company : null,
      secrets: [
        // Signed in with Namely, the sign-in's secrets take the token's place (as in the engine).
        ...(c.oauth
          ? /** @type {const} */ (["namely_client_secret", "namely_refresh_token"]).map((kind) => ({
              kind, set: true, saved_at: c.oauthSavedAt, store: /** @type {const} */ ("keychain"), path: null, problem: null,
            }))
          : [{ kind: /** @type {const} */ ("namely_token"), set: !!c.token, saved_at: c.token ? c.tokenSavedAt : null, store: c.token ? /** @type {const} */ ("keychain") : null, path: null, problem: null }]),
        { kind: "icims_hmac_key", set: !!c.hmac, saved_at: c.hmac ? c.hmacSavedAt : null, store: c.hmac ? "keychain" : null, path: null, problem: null },
      ],
      steps: STEPS.map((step) => ({ step, ...c.steps[step] })),
      resume_step: STEPS.find((s) => c.steps[s].state !== "passed") ?? "review",
      health: health(c),
      ...nextSyncView(c),
    };
  }
  /** @param {Connection} c @returns {string | null} */
  function nextSync(c) {
    const s = c.schedule;
    if (s.kind === "off") return null;
    if (s.kind === "every_minutes") return iso(addSeconds(now(), s.minutes * 60));
    if (s.kind === "every_hours") return iso(addSeconds(now(), s.hours * 3600));
    const today = localAt(0, s.hour, s.minute);
    return iso(today > now() ? today : localAt(1, s.hour, s.minute));
  }
  /**
   * The next scheduled sync as the backend words it: when, in words, and why not as set.
   * @param {Connection} c
   * @returns {{ next_sync_at: string | null, next_sync_text: string | null, schedule_note: string | null }}
   */
  function nextSyncView(c) {
    const none = { next_sync_at: null, next_sync_text: null, schedule_note: null };
    if (c.schedule.kind === "off") return none;
    if (!allPassed(c)) return { ...none, schedule_note: "Syncs on this schedule start once setup is finished." };
    if (state.background.schedules_paused) return { ...none, schedule_note: "Schedules are paused." };
    const at = nextSync(c);
    if (!at) return none;
    const d = new Date(at);
    const hhmm = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
    const today = d.toDateString() === now().toDateString();
    return { next_sync_at: at, next_sync_text: `${hhmm} ${today ? "today" : "tomorrow"}`, schedule_note: c.stretch };
  }
  /** @param {Connection} c @returns {ConnectionSummary} */
  function summaryOf(c) {
    const last = state.runs.filter((r) => r.summary.connection === c.name && !r.summary.dry_run).at(-1);
    return {
      name: c.name,
      company_name: c.company_known ? c.company : null,
      namely_permalink: c.permalink,
      sandbox: c.sandbox,
      health: health(c),
      last_run: last ? last.summary : null,
      ...nextSyncView(c),
      schedule: c.schedule,
      running: c.running,
      warnings: warnings(c),
    };
  }
  /**
   * A check's result; it passed when `code` is "passed", as in the backend.
   * @param {SetupStep} step @param {CheckCode} code @param {string} summary
   * @param {string | null} fix @param {Field | null} field @param {string | null} detail
   * @returns {CheckResult}
   */
  function check(step, code, summary, fix = null, field = null, detail = null) {
    return { step, code, passed: code === "passed", summary, fix, field, detail, checked_at: iso(now()) };
  }
  /**
   * Stores a check's result as its stop's status.
   * @param {Connection} c @param {SetupStep} step @param {CheckResult} result
   */
  function record(c, step, result) {
    c.steps[step] = { state: result.passed ? "passed" : "failed", code: result.code, message: result.summary, checked_at: result.checked_at };
    return result;
  }

  // ---------- permalinks ----------
  /** @param {string} input @returns {PermalinkView} */
  function normalize(input) {
    let s = String(input ?? "").trim().toLowerCase();
    if (!s) throw fail("invalid_input", "Type the company's Namely permalink.", "namely_permalink");
    s = s.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    if (s.endsWith(".namely.com")) s = s.slice(0, -".namely.com".length);
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(s)) {
      throw fail(
        "invalid_input",
        "That is not a Namely address. Type the part before .namely.com — for example yourcompany.",
        "namely_permalink",
      );
    }
    return { permalink: s, web_url: `https://${s}.namely.com` };
  }

  // ---------- owners ----------
  /** Namely says active but not the access role: a person may confirm it. @param {OwnerCandidate} p */
  const confirmable = (p) => p.verdict === "role_unknown" && p.user_status === "active";

  /** @param {Connection} c @returns {OwnerStep} */
  function ownerStep(c) {
    /** @type {OwnerCandidate[]} */
    const candidates = OWNER_SETS[c.owners].map((k) => ({ ...OWNERS[k], verified_at: iso(addSeconds(now(), -600)) }));
    const chosen = candidates.find((p) => p.profile_id === c.owner) ?? null;
    const confirmation = chosen && c.confirmation && c.confirmation.profile_id === chosen.profile_id && confirmable(chosen) ? c.confirmation : null;
    const detail = candidates.map((p) => `${p.full_name} (${p.profile_id}; status ${p.user_status}, role ${p.access_role ?? "unknown"}): ${p.reason}`).join("\n");
    let result;
    if (!candidates.some((p) => p.verdict === "can_own" || confirmable(p))) {
      result = check("owner", "no_eligible_owner", "Nobody who has signed in can own this connection.", "An active Administrator must sign in once.");
    } else if (!chosen) {
      result = check("owner", "owner_not_chosen", "Choose who owns the integration.");
    } else if ((chosen.verdict === "can_own" || confirmation) && c.signedIn && c.signedIn !== chosen.profile_id) {
      const holder = candidates.find((p) => p.profile_id === c.signedIn)?.full_name ?? `Namely profile ${c.signedIn}`;
      const name = chosen.full_name;
      result = check(
        "owner",
        "token_not_owner",
        `The saved Namely token belongs to ${holder}, not to the owner ${name}.`,
        `Sign in as ${name} (paste a token ${name} created), or choose ${holder} as the owner if they are an active Administrator.`,
        "namely_token",
        detail,
      );
    } else if (confirmation) {
      result = check(
        "owner",
        "passed",
        `${chosen.full_name} owns the integration: active in Namely; Administrator confirmed by ${confirmation.by} on ${confirmation.at.slice(0, 10)} (Namely does not report access roles).`,
        null,
        null,
        detail,
      );
    } else if (chosen.verdict === "role_unknown") {
      const name = chosen.full_name;
      result = check(
        "owner",
        "owner_unverified",
        `Could not verify that ${name} is an active Administrator: Namely did not say.`,
        `Look ${name} up in Namely (Company › Access roles) and, if they are an Administrator, confirm it here: "${name} is an Administrator in Namely".`,
        null,
        detail,
      );
    } else {
      result = check("owner", "passed", `${chosen.full_name} owns the integration: an active Administrator.`, null, null, detail);
    }
    record(c, "owner", result);
    return {
      candidates,
      chosen_profile_id: c.owner,
      signed_in_profile_id: c.signedIn,
      role_confirmation: confirmation ? { ...confirmation } : null,
      check: result,
    };
  }

  // ---------- runs ----------
  /** @returns {Counts} */
  const zero = () => ({ read: 0, created: 0, would_create: 0, already_in_namely: 0, needs_review: 0, invalid: 0, failed: 0, left_out: 0 });
  /** @param {Hire} h @param {OutcomeKind} outcome @param {Connection} c */
  function reasonFor(h, outcome, c) {
    switch (outcome) {
      case "would_create": return `Will be added as ${h.name} (start ${longDate(h.start)})`;
      case "created": return `Added as ${h.name} (start ${longDate(h.start)})`;
      case "created_with_warning": return `Added as ${h.name} (start ${longDate(h.start)}) without the home address: Namely did not accept the state 'XX'`;
      case "already_in_namely": return `Already in Namely (icims_id ${h.person_id})`;
      case "left_out": return `Left out: started ${longDate(h.start)}, before the start-from date ${longDay(c.startFrom)}`;
      case "needs_review": {
        const m = h.match;
        if (!m) return `Needs review: same email as iCIMS person 9000 in this run (${h.email}); only one profile is created per email`;
        if (m.byEmail) return `Needs review: ${h.email} already belongs to ${m.name}, who has no icims_id`;
        return `Needs review: possibly already in Namely as ${m.name} (${m.email}), same name and start date ${longDate(h.start)}, no icims_id — Link it, or Create anyway`;
      }
      case "invalid": return h.reason ?? "Invalid: no email in iCIMS — add one to the candidate";
      default: return "Failed: Namely rejected the home address (state 'XX') — will retry next run";
    }
  }
  /** @param {Hire} h @param {OutcomeKind} outcome @param {Date} at @param {Connection} c @returns {RecordView} */
  function recordOf(h, outcome, at, c) {
    const created = outcome === "created" || outcome === "created_with_warning" || outcome === "already_in_namely";
    return {
      person_id: h.person_id,
      name: h.name,
      email: h.email,
      outcome,
      reason: reasonFor(h, outcome, c),
      namely_profile_id: created ? `np-${h.person_id}` : outcome === "needs_review" ? (h.match?.profile_id ?? null) : null,
      at: iso(at),
      start_date: ymd(h.start),
    };
  }
  /** @type {Record<OutcomeKind, keyof Counts>} */
  const COUNT_KEY = {
    would_create: "would_create",
    created: "created",
    created_with_warning: "created",
    already_in_namely: "already_in_namely",
    needs_review: "needs_review",
    invalid: "invalid",
    failed: "failed",
    left_out: "left_out",
  };
  /**
   * @param {Connection} c @param {Trigger} trigger @param {boolean} dryRun @param {Date} started
   * @returns {FakeRun}
   */
  function newRun(c, trigger, dryRun, started = now()) {
    /** @type {FakeRun} */
    const run = {
      summary: {
        id: state.nextRunId++,
        connection: c.name,
        trigger,
        dry_run: dryRun,
        status: "running",
        started_at: iso(started),
        ended_at: null,
        counts: zero(),
        icims_calls: 0,
        namely_calls: 0,
        error_code: null,
        error: null,
      },
      records: [],
    };
    state.runs.push(run);
    return run;
  }
  /** @param {FakeRun} run @param {Hire} h @param {OutcomeKind} outcome @param {Date} at @param {Connection} c */
  function add(run, h, outcome, at, c) {
    run.records.push(recordOf(h, outcome, at, c));
    run.summary.counts[COUNT_KEY[outcome]] += 1;
  }
  /** @param {FakeRun} run @param {number} seconds */
  function finish(run, seconds) {
    const s = run.summary;
    s.ended_at = iso(addSeconds(new Date(s.started_at), seconds));
    s.status = s.counts.failed > 0 ? "finished_with_failures" : "succeeded";
    s.icims_calls = 2 + s.counts.read * 2;
    s.namely_calls = 2 + s.counts.created + s.counts.failed;
  }
  /**
   * What the plan decides for a hire, in the backend's order: already in Namely, left out
   * (before the start-from date), needs review, invalid, then create.
   * @param {Hire} h @param {boolean} dry @param {Connection} c @param {boolean} anyway
   * @returns {OutcomeKind}
   */
  function planOutcome(h, dry, c, anyway = false) {
    if (h.kind === "already") return "already_in_namely";
    if (ymd(h.start) < c.startFrom) return "left_out";
    if (h.kind === "invalid") return "invalid";
    if (h.kind === "review" && !(anyway && h.match && !h.match.byEmail)) return "needs_review";
    if (dry) return "would_create";
    return h.kind === "fail" ? "failed" : "created";
  }

  /**
   * A run the pre-flight stopped: recorded as not started, with why and what to do.
   * @param {Connection} c @param {Trigger} trigger @param {boolean} dryRun @param {RunErrorCode} code
   */
  function notStarted(c, trigger, dryRun, code) {
    const run = newRun(c, trigger, dryRun);
    finish(run, 0);
    const s = run.summary;
    s.status = "not_started";
    s.icims_calls = 0;
    s.namely_calls = 0;
    s.error_code = code;
    s.error = `The sync did not start: ${{
      owner_invalid: "The saved Namely token belongs to Sam Staff, not to the integration owner. Sign in to Namely as the owner (part 2), or choose this person as the owner in part 3 if they are an active Administrator.",
      namely_credentials: "Namely refused the saved token (401 Unauthorized). Sign in to Namely again in Setup (part 2).",
      icims_credentials: "iCIMS did not accept the connection before the sync: 401 Unauthorized. Check the iCIMS Username and HMAC key in Setup (part 4).",
    }[/** @type {string} */ (code)] ?? `the pre-flight failed (${code}).`}`;
    if (code === "owner_invalid") {
      record(c, "owner", check("owner", "token_not_owner", "The saved Namely token belongs to Sam Staff, not to the integration owner.", "Sign in to Namely as the owner (part 2), or choose this person as the owner in part 3 if they are an active Administrator.", "namely_token"));
    }
    return run;
  }

  /** @param {Connection} c */
  function seedHistory(c) {
    // Two days ago, manual: 5 added.
    const a = newRun(c, "manual", false, localAt(-2, 14, 12));
    makeHires(40, { new: 5 }).forEach((h) => {
      a.summary.counts.read += 1;
      add(a, h, h.kind === "new" ? "created" : "already_in_namely", a.summary.started_at ? new Date(a.summary.started_at) : now(), c);
    });
    finish(a, 48);
    // Yesterday 09:00, schedule: 2 added, 1 invalid, 1 failed.
    const b = newRun(c, "schedule", false, localAt(-1, 9, 0));
    makeHires(120, { new: 2, fail: 1, invalid: 1 }).forEach((h) => {
      b.summary.counts.read += 1;
      add(b, h, planOutcome(h, false, c), new Date(b.summary.started_at), c);
    });
    finish(b, 95);
    // Today 09:00, schedule: 3 added, 1 needs review.
    const t = localAt(0, 9, 0) < now() ? localAt(0, 9, 0) : addSeconds(now(), -1800);
    const d = newRun(c, "schedule", false, t);
    makeHires(340, { new: 3, review: 1 }).forEach((h) => {
      d.summary.counts.read += 1;
      add(d, h, planOutcome(h, false, c), t, c);
    });
    finish(d, 131);
  }

  /**
   * A scheduled sync an hour ago over the connection's own hires: what it added is in Namely
   * now, and its hires that need review wait for a person's decision (open_reviews).
   * @param {Connection} c
   */
  function seedReviewRun(c) {
    const at = addSeconds(now(), -3600);
    const run = newRun(c, "schedule", false, at);
    for (const h of c.hires) {
      run.summary.counts.read += 1;
      const outcome = planOutcome(h, false, c);
      add(run, h, outcome, at, c);
      if (outcome === "created") h.kind = "already";
    }
    finish(run, 40);
  }

  /**
   * The latest record of a person in a real (not dry) run of the connection.
   * @param {Connection} c @param {number} personId
   */
  function latestRecord(c, personId) {
    for (const run of [...state.runs].reverse()) {
      if (run.summary.connection !== c.name || run.summary.dry_run) continue;
      const rec = [...run.records].reverse().find((r) => r.person_id === personId);
      if (rec) return rec;
    }
    return null;
  }

  /** @param {Connection} c @returns {ReviewItem[]} */
  function openReviews(c) {
    /** @type {ReviewItem[]} */
    const items = [];
    for (const h of c.hires) {
      const rec = latestRecord(c, h.person_id);
      if (!rec || rec.outcome !== "needs_review") continue;
      items.push({
        person_id: h.person_id,
        name: h.name,
        email: h.email,
        start_date: ymd(h.start),
        reason: rec.reason,
        namely_profile_id: h.match?.profile_id ?? null,
        namely_name: h.match?.name ?? null,
        namely_email: h.match?.email ?? null,
        namely_start_date: h.match ? ymd(h.start) : null,
        kind: !h.match ? "same_email_in_run" : h.match.byEmail ? "email_taken" : "possible_match",
        since: rec.at,
      });
    }
    return items.sort((a, b) => a.since.localeCompare(b.since) || a.person_id - b.person_id);
  }

  /**
   * The hire behind an open review, or the backend's refusal.
   * @param {Connection} c @param {number} personId
   */
  function openReview(c, personId) {
    const h = c.hires.find((x) => x.person_id === personId);
    const rec = latestRecord(c, personId);
    if (!h || !rec) throw fail("not_found", `No record of iCIMS person ${personId} for this connection.`);
    if (rec.outcome !== "needs_review") {
      throw fail("invalid_input", `iCIMS person ${personId} (${h.name}) does not need review: their latest outcome is ${rec.outcome.replace(/_/g, " ")}.`);
    }
    return h;
  }

  /**
   * A decision on a review, recorded as a run of its own (trigger review) with one record.
   * @param {Connection} c @param {Hire} h @param {OutcomeKind} outcome @param {string | null} reason
   */
  function reviewRun(c, h, outcome, reason = null) {
    const run = newRun(c, "review", false);
    add(run, h, outcome, now(), c);
    if (reason) run.records[0].reason = reason;
    if (outcome === "already_in_namely" && h.match) run.records[0].namely_profile_id = h.match.profile_id;
    finish(run, 2);
    run.summary.icims_calls = outcome === "already_in_namely" ? 0 : 2;
    run.summary.namely_calls = 2;
    return run;
  }

  /**
   * The newest run failed as a whole, with this error code (what the real engine records when
   * Namely refuses the credential, iCIMS the key, …).
   * @param {Connection} c @param {RunErrorCode} code
   */
  function seedFailedRun(c, code) {
    const at = addSeconds(now(), -600);
    const run = newRun(c, "schedule", false, at);
    finish(run, 12);
    run.summary.status = "failed";
    run.summary.error_code = code;
    run.summary.error = {
      namely_credentials: "Namely refused the credential — sign in again. Nothing was sent.",
      icims_credentials: "Could not read the hired workflows from iCIMS: iCIMS did not accept the username or HMAC key.",
      icims_unavailable: "Could not read the hired workflows from iCIMS after 3 attempts: iCIMS answered 503.",
    }[/** @type {string} */ (code)] ?? `The run failed (${code}).`;
  }

  // ---------- gates: let tests hold a command or the sync at a checkpoint ----------
  /** @type {Map<string, Gate>} */
  const gates = new Map();
  /** @param {string} key */
  async function gate(key) {
    const g = gates.get(key);
    if (!g || !g.paused) return;
    if (g.credits > 0) {
      g.credits -= 1;
      return;
    }
    await new Promise((resolve) => g.waiters.push(() => resolve(undefined)));
  }

  // ---------- events (mirrors mockIPC's event plugin) ----------
  /** @type {Map<number, (data: unknown) => unknown>} */
  const callbacks = new Map();
  /** Event name → the callback ids listening to it. @type {Map<string, number[]>} */
  const listeners = new Map();
  /**
   * Delivers any event to its listeners (also what the window's own `emit` reaches).
   * @param {string} event @param {unknown} payload
   */
  function dispatch(event, payload) {
    for (const id of [...(listeners.get(event) ?? [])]) {
      const cb = callbacks.get(id);
      if (cb) cb({ event, id, payload });
    }
  }
  /** Every backend event sent, in order, for tests to inspect. @type {Array<{ event: keyof Events, payload: unknown }>} */
  const emitted = [];
  /**
   * Sends one of the backend's events, with the payload `Events` declares for it.
   * @template {keyof Events} E
   * @param {E} event @param {Events[E]} payload
   */
  function emit(event, payload) {
    emitted.push({ event, payload: JSON.parse(JSON.stringify(payload)) });
    dispatch(event, payload);
  }

  /**
   * Runs a dry run, sync or retry as the shell does: whatever happens, its end is announced
   * as `sync-finished`, with the run as history shows it, or null when it could not run.
   * @param {string} name @param {() => FakeRun | Promise<FakeRun>} body
   * @returns {Promise<FakeRun>}
   */
  async function announced(name, body) {
    /** @type {FakeRun | null} */
    let run = null;
    try {
      run = await body();
      return run;
    } finally {
      emit("sync-finished", { connection: name, run: run ? JSON.parse(JSON.stringify(run.summary)) : null });
    }
  }

  /** @param {Connection} c @param {Trigger} trigger @returns {Promise<FakeRun>} */
  async function runSync(c, trigger) {
    if (c.running) throw fail("busy", "A sync is already running for this company. Wait until it ends.");
    if (!c.token && !c.oauth) throw fail("secret_missing", "The Namely token is missing. Add it again in Settings.", "namely_token");
    if (!c.hmac) throw fail("secret_missing", "The iCIMS HMAC key is missing. Add it again in Settings.", "icims_hmac_key");
    if (c.preflight) return notStarted(c, trigger, false, c.preflight);
    c.running = true;
    c.cancel = false;
    const run = newRun(c, trigger, false);
    const id = run.summary.id;
    /** A person asked it to stop: the run ends cancelled; hires not sent are not recorded. */
    const stop = async () => {
      finish(run, 4);
      const s = run.summary;
      s.status = "cancelled";
      s.error_code = "cancelled";
      s.error = "The sync was stopped before it finished. Nothing is lost: the next run picks up where this one stopped.";
      await progress("done", 0, null);
      return run;
    };
    /** @param {SyncPhase} phase @param {number} done @param {number | null} total */
    const progress = async (phase, done, total) => {
      await gate("sync");
      await sleep(scenario.syncStepMs ?? 15);
      emit("sync-progress", { connection: c.name, run_id: id, phase, done, total, counts: { ...run.summary.counts }, seconds_left: null });
    };
    try {
      const hires = trigger === "retry" ? retryable(c) : c.hires;
      await progress("searching", 0, null);
      const chunk = 120;
      for (let done = 0; done < hires.length; ) {
        if (c.cancel) return await stop();
        done = Math.min(hires.length, done + chunk);
        run.summary.counts.read = done;
        await progress("reading_hires", done, hires.length);
      }
      await progress("indexing_namely", 0, null);
      await progress("planning", 0, null);
      const planned = hires.map((h) => /** @type {const} */ ([h, planOutcome(h, false, c)]));
      const toAdd = planned.filter(([, o]) => o === "created" || o === "failed");
      let added = 0;
      for (const [h, outcome] of planned) {
        const sends = outcome === "created" || outcome === "failed";
        if (sends && c.cancel) return await stop();
        add(run, h, outcome, now(), c);
        // What was added is in Namely now; failures stay to retry.
        if (outcome === "created") h.kind = "already";
        if (sends) {
          added += 1;
          await progress("adding_to_namely", added, toAdd.length);
        }
      }
      if (trigger === "retry") for (const h of hires) h.kind = "already";
      finish(run, 7 + Math.round(hires.length / 40));
      c.steps.review = { state: "passed", code: "passed", message: "First sync finished.", checked_at: iso(now()) };
      await progress("done", added, toAdd.length);
      return run;
    } finally {
      c.running = false;
      c.cancel = false;
    }
  }

  /**
   * What Retry failed sends again: the failed hires of the latest run that had failures.
   * @param {Connection} c @returns {Hire[]}
   */
  function retryable(c) {
    const run = state.runs.filter((r) => r.summary.connection === c.name && r.summary.counts.failed > 0 && !r.retried).at(-1);
    if (!run) return [];
    run.retried = true;
    return run.records
      .filter((r) => r.outcome === "failed")
      .map((r) => ({ person_id: r.person_id, name: r.name, email: r.email, start: localAt(7, 0, 0), kind: /** @type {const} */ ("new") }));
  }

  /** @param {number} runId */
  function runById(runId) {
    const run = state.runs.find((r) => r.summary.id === runId);
    if (!run) throw fail("not_found", "This run is no longer in the history.");
    return run;
  }

  // ---------- commands ----------
  /** @type {Handlers} */
  const commands = {
    app_info: () => ({
      version: "0.1.0",
      data_dir: "/home/olivia/.local/share/icims-namely",
      keychain: scenario.keychainPersistent === false
        ? { persistent: false, message: "No system keychain was found: keys and tokens are kept only until the app closes." }
        : { persistent: true, message: "Secrets are kept in the system keychain." },
    }),
    list_connections: () => [...state.connections.values()].map(summaryOf),
    get_connection: ({ name }) => details(get(name)),
    create_connection: ({ input }) => {
      const name = String(input.name ?? "").trim();
      if (!name) throw fail("invalid_input", "Give the connection a name.", "connection_name");
      if (state.connections.has(name)) throw fail("already_exists", `A company called "${name}" is already connected. Choose another name.`, "connection_name");
      const p = normalize(input.namely_permalink);
      const c = makeConnection({ name, permalink: p.permalink, stage: "new", token: null });
      state.connections.set(name, c);
      return details(c);
    },
    remove_connection: ({ name, keepHistory }) => {
      get(name);
      state.connections.delete(name);
      if (!keepHistory) state.runs = state.runs.filter((r) => r.summary.connection !== name);
      return null;
    },
    start_sandbox: () => {
      if (!state.connections.has("Sandbox")) {
        state.connections.set("Sandbox", makeConnection({ name: "Sandbox", permalink: "sandbox", sandbox: true, company: "Sandbox Corp", stage: "new", token: null, field: "found" }));
      }
      return {
        icims_url: "http://127.0.0.1:47812",
        namely_url: "http://127.0.0.1:47811",
        namely_permalink: "sandbox",
        namely_token: DEMO_TOKEN,
        icims_customer_id: "1001",
        icims_username: "sandbox_api",
        icims_hmac_key: DEMO_KEY,
        // The sandbox's demo application for Sign in with Namely.
        namely_client_id: DEMO_CLIENT_ID,
        namely_client_secret: DEMO_CLIENT_SECRET,
      };
    },
    normalize_permalink: ({ input }) => normalize(input),

    save_namely_token: ({ name, token }) => {
      const c = get(name);
      const valid = token === GOOD_TOKEN || Object.keys(OWNERS).some((k) => token === `${k}-token`) || (c.sandbox && token === DEMO_TOKEN);
      if (!valid) {
        const result = check(
          "namely_sign_in",
          "token_refused",
          "Namely did not accept this token.",
          "Create a new personal access token in Namely and paste it here.",
          "namely_token",
          `GET ${c.web_url}/api/v1/profiles/me → 401 Unauthorized`,
        );
        return { check: record(c, "namely_sign_in", result), company_name: null, signed_in_as: null };
      }
      c.token = token;
      c.tokenSavedAt = iso(now());
      // A token replaces a sign-in with Namely: one credential per connection.
      c.oauth = null;
      return signIn(c);
    },
    check_namely_sign_in: ({ name }) => {
      const c = get(name);
      if (!c.token && !c.oauth) throw fail("secret_missing", "No Namely token is saved yet. Paste one to sign in.", "namely_token");
      return signIn(c);
    },
    begin_namely_sign_in: ({ name, clientId, clientSecret, port }) => {
      const c = get(name);
      const id = clientId.trim();
      if (!id || /\s/.test(id)) {
        throw fail("invalid_input", "Enter the client ID of the application registered in Namely (Namely › API): one word, without spaces.", "namely_client_id");
      }
      if (!clientSecret.trim()) throw fail("invalid_input", "The client secret is empty. Paste it again.", "namely_client_secret");
      if (/\s/.test(clientSecret.trim())) {
        throw fail("invalid_input", "The client secret has a space or a line break inside it; it is one word. Paste only the client secret.", "namely_client_secret");
      }
      const p = port ?? 47600;
      if (c.portBusy) {
        throw fail(
          "invalid_input",
          `icims-namely cannot listen on 127.0.0.1 port ${p} for Namely's answer (Address already in use (os error 98)). Another program (or another sign-in) is using it: close it and sign in again, or register the redirect URI with another port in Namely and sign in with that port.`,
          "namely_client_id",
        );
      }
      // A sign-in already waiting is cancelled.
      c.pending?.answer("cancel");
      /** @type {(a: SignInAnswer) => void} */
      let answer = () => {};
      /** @type {Promise<SignInAnswer>} */
      const answered = new Promise((resolve) => (answer = resolve));
      c.pending = { clientId: id, secret: clientSecret.trim(), answered, answer, finishing: false };
      const query = new URLSearchParams({ response_type: "code", client_id: id, redirect_uri: REDIRECT_URI, state: "fake-state-Zq81" });
      return { authorize_url: `${c.web_url}/api/v1/oauth2/authorize?${query}`, redirect_uri: REDIRECT_URI, sandbox: c.sandbox };
    },
    finish_namely_sign_in: async ({ name }) => {
      const c = get(name);
      const p = c.pending;
      if (!p) throw fail("invalid_input", "No sign-in with Namely is waiting for this connection. Start it again.", "namely_client_id");
      if (p.finishing) throw fail("busy", `A sync is already running for "${name}".`);
      p.finishing = true;
      const answer = await p.answered;
      if (c.pending === p) c.pending = null;
      switch (answer) {
        case "cancel":
          throw fail("credentials", "The sign-in was cancelled; nothing was saved.");
        case "deny":
          throw fail("credentials", "Namely says the sign-in was denied (Deny was clicked), so nothing was saved. Sign in again and click Accept, or paste a personal access token instead.");
        case "timeout":
          throw fail(
            "credentials",
            `Namely's answer did not arrive within 5 minutes, so nothing was saved. Sign in again and click Accept in the browser. If the browser showed an error about the redirect URI, register exactly ${REDIRECT_URI} with the application in Namely (Namely › API).`,
          );
      }
      // Accepted: the code is exchanged with the client ID and secret.
      const good = (p.clientId === GOOD_CLIENT_ID && p.secret === GOOD_CLIENT_SECRET) || (c.sandbox && p.clientId === DEMO_CLIENT_ID && p.secret === DEMO_CLIENT_SECRET);
      if (!good) {
        throw fail("credentials", "Namely did not accept the client ID and client secret (invalid_client). Copy both again from the application registered in Namely (Namely › API), then sign in again.", "namely_client_secret");
      }
      c.oauth = p.clientId;
      c.oauthSavedAt = iso(now());
      c.token = null;
      return signIn(c);
    },
    reopen_namely_sign_in: ({ name }) => !!get(name).pending,
    cancel_namely_sign_in: ({ name }) => {
      const c = get(name);
      if (!c.pending) return false;
      c.pending.answer("cancel");
      return true;
    },
    check_namely_field: ({ name }) => {
      const c = get(name);
      if (!c.token && !c.oauth) throw fail("secret_missing", "Sign in to Namely first: the app needs a token to read your fields.", "namely_token");
      const detail = "GET /api/v1/profiles/fields: 42 fields read";
      /** @type {Record<FieldState, () => CheckResult>} */
      const results = {
        found: () => check("namely_field", "passed", "Found the field `icims_id` (Text).", null, null, detail),
        missing: () => check("namely_field", "field_missing", "No field named `icims_id` yet.", "Create it as above, then Check again.", null, detail),
        typo: () => check("namely_field", "field_misspelt", "Found `icmis_id`, which looks like a typo.", "Delete it and create `icims_id` — renaming keeps the old internal name, so it would still not match.", null, `${detail}; closest name: icmis_id (text)`),
        number: () => check("namely_field", "field_wrong_type", "Found `icims_id` but it is a Number field.", "Delete it and create it again as Text.", null, `${detail}; icims_id has type number`),
        hidden: () => check("namely_field", "field_hidden", "No field named `icims_id` is visible to Sam Staff (Employee).", "Namely shows custom fields only to people allowed to see them. Sign in as an active Administrator, then Check again.", "namely_token", `${detail}; the token belongs to an Employee`),
      };
      const result = results[c.field]();
      return record(c, "namely_field", result);
    },

    owner_step: ({ name }) => ownerStep(get(name)),
    choose_owner: ({ name, profileId, confirmAdministrator }) => {
      const c = get(name);
      const p = Object.values(OWNERS).find((o) => o.profile_id === profileId);
      if (!p || !OWNER_SETS[c.owners].some((k) => OWNERS[k].profile_id === profileId)) throw fail("not_found", "This person has not signed in for this company.");
      if (p.verdict === "not_administrator" || p.verdict === "inactive") throw fail("invalid_input", `${p.full_name} cannot own this connection: ${p.reason.slice(2)}.`);
      if (confirmAdministrator) {
        // Only the owner's own sign-in may confirm; nothing is saved when refused.
        if (c.signedIn !== profileId) {
          throw fail("invalid_input", `Sign in to Namely as ${p.full_name} first (part 2): the sync uses the owner's own token, so the owner confirms their role while signed in.`);
        }
        if (!confirmable({ ...p, verified_at: iso(now()) })) {
          throw fail("invalid_input", `Only an access role Namely does not report can be confirmed here; Namely reports ${p.full_name}: ${p.reason}.`);
        }
      }
      // A confirmation is for one person.
      if (c.owner !== profileId) c.confirmation = null;
      c.owner = profileId;
      if (confirmAdministrator) {
        c.confirmation = { profile_id: profileId, by: `${p.full_name} (signed in to Namely; computer user olivia)`, at: iso(now()) };
      }
      return ownerStep(c);
    },

    test_icims: ({ name, input }) => icimsCheck(get(name), input),
    save_icims: ({ name, input }) => {
      const c = get(name);
      const result = icimsCheck(c, input);
      if (result.passed) {
        c.icims = { customer_id: input.customer_id, username: input.username, region: input.region };
        if (input.hmac_key) {
          c.hmac = input.hmac_key;
          c.hmacSavedAt = iso(now());
        }
        record(c, "icims", result);
      }
      return result;
    },
    remove_secret: ({ name, kind }) => {
      const c = get(name);
      if (kind === "namely_token") c.token = null;
      else c.hmac = null;
      return details(c);
    },

    update_sync_settings: ({ name, input }) => {
      const c = get(name);
      if (!input.hired_statuses.length) throw fail("invalid_input", "Add at least one status.", "hired_statuses");
      let startFrom = c.startFrom;
      if (input.start_from !== null) {
        const text = input.start_from.trim();
        if (!parseDay(text)) {
          throw fail("invalid_input", `"${text.slice(0, 40)}" is not a date: write the start-from date as YYYY-MM-DD, for example 2026-11-01.`, "start_from");
        }
        startFrom = text;
      }
      const added = input.hired_statuses.filter((s) => !c.hired.some((o) => o.toLowerCase() === s.toLowerCase()));
      if (added.length) c.readAgain = `the hired statuses changed (${added.map((s) => `"${s}"`).join(", ")} added)`;
      else if (startFrom < c.startFrom) c.readAgain = `the start-from date moved back to ${longDay(startFrom)}`;
      if (input.icims_concurrency != null && input.icims_concurrency > 8) {
        throw fail("invalid_input", "Give how many iCIMS reads may run at once as a number from 1 to 8 (0 goes back to the default, 4).", "icims_concurrency");
      }
      if (input.icims_concurrency != null) c.reads = input.icims_concurrency === 0 ? null : input.icims_concurrency;
      c.hired = [...input.hired_statuses];
      c.unmatched = c.unmatched.filter((s) => c.hired.includes(s));
      c.schedule = input.schedule;
      c.startFrom = startFrom;
      return details(c);
    },
    start_from_choices: ({ name }) => {
      const c = get(name);
      const today = localAt(0, 0, 0);
      /** @param {number} days */
      const ago = (days) => ymd(localAt(-days, 0, 0));
      /** @type {Array<[string, string]>} */
      const dates = [
        [ymd(today), "Today: only people who start from now on"],
        [ago(30), "30 days ago (recommended)"],
        [ago(90), "90 days ago"],
        [ago(365), "A year ago"],
      ];
      if (!dates.some(([d]) => d === c.startFrom)) dates.push([c.startFrom, "The date saved now"]);
      dates.sort((a, b) => b[0].localeCompare(a[0]));
      const preview = state.runs.filter((r) => r.summary.connection === c.name && r.summary.dry_run && r.summary.status !== "not_started").at(-1) ?? null;
      const days = (preview?.records ?? [])
        .filter((r) => r.outcome === "would_create" || r.outcome === "left_out")
        .map((r) => r.start_date ?? "");
      return {
        start_from: c.startFrom,
        preview_run_id: preview ? preview.summary.id : null,
        choices: dates.map(([date, label]) => ({
          date,
          label: `${label} — ${longDay(date)}`,
          would_add: preview ? days.filter((d) => d >= date).length : null,
          at_least: date < c.startFrom,
          chosen: date === c.startFrom,
        })),
      };
    },
    preview_sync: ({ name }) =>
      announced(name, () => {
        const c = get(name);
        if (!c.token || !c.hmac) throw fail("secret_missing", "Finish the iCIMS and Namely steps first.");
        if (c.preflight) return notStarted(c, "manual", true, c.preflight);
        const run = newRun(c, "manual", true);
        for (const h of c.hires) {
          run.summary.counts.read += 1;
          add(run, h, planOutcome(h, true, c), now(), c);
        }
        finish(run, 3);
        return run;
      }),
    sync_now: ({ name }) => announced(name, () => runSync(get(name), "manual")),
    retry_failed: ({ name }) => announced(name, () => runSync(get(name), "retry")),
    cancel_sync: ({ name }) => {
      const c = get(name);
      if (!c.running) return false;
      c.cancel = true;
      return true;
    },

    open_reviews: ({ name }) => openReviews(get(name)),
    link_review: ({ name, personId, profileId }) =>
      announced(name, () => {
        const c = get(name);
        const h = openReview(c, personId);
        if (c.preflight) return notStarted(c, "review", false, c.preflight);
        if (!profileId.trim()) throw fail("invalid_input", "Give the Namely profile id to link to.");
        const m = h.match;
        if (!m || m.profile_id !== profileId) throw fail("not_found", `Namely has no profile ${profileId}.`);
        h.kind = "already";
        return reviewRun(c, h, "already_in_namely", `Linked by hand to ${m.name} (${m.email}): icims_id ${h.person_id} written to that profile`);
      }),
    create_anyway: ({ name, personId }) =>
      announced(name, () => {
        const c = get(name);
        const h = openReview(c, personId);
        if (c.preflight) return notStarted(c, "review", false, c.preflight);
        const outcome = planOutcome(h, false, c, true);
        if (outcome === "created") h.kind = "already";
        return reviewRun(c, h, outcome);
      }),

    list_runs: ({ name, limit }) =>
      state.runs.filter((r) => r.summary.connection === name).map((r) => r.summary).reverse().slice(0, limit),
    get_run: ({ runId }) => runById(runId),
    export_run_csv: ({ runId }) => {
      const run = runById(runId);
      return { path: `/home/olivia/Documents/icims-namely/${run.summary.connection}-run-${runId}.csv`, rows: run.records.length };
    },
    background_state: () => ({ ...state.background }),
    set_schedules_paused: ({ paused }) => {
      state.background.schedules_paused = paused;
      emit("background-changed", { ...state.background });
      return { ...state.background };
    },
    set_start_at_login: ({ enabled }) => {
      state.background.start_at_login = enabled;
      emit("background-changed", { ...state.background });
      return { ...state.background };
    },
  };

  /** @param {Connection} c @returns {SignInResult} */
  function signIn(c) {
    c.company_known = true;
    // "olivia-token" signs in as Olivia Owner, …; any other good token as the first person.
    const key = /** @type {OwnerKey | undefined} */ (Object.keys(OWNERS).find((k) => c.token === `${k}-token`));
    const who = { ...OWNERS[key ?? OWNER_SETS[c.owners][0]], verified_at: iso(now()) };
    c.signedIn = who.profile_id;
    // Deliberately terser than the interface's sentence: the UI composes it from the data.
    const result = check("namely_sign_in", "passed", "Namely accepted the token.");
    return { check: record(c, "namely_sign_in", result), company_name: c.company, signed_in_as: who };
  }

  /** @param {Connection} c @param {IcimsInput} input @returns {CheckResult} */
  function icimsCheck(c, input) {
    const e = c.expect;
    const key = input.hmac_key ?? c.hmac;
    if (!/^\d+$/.test(input.customer_id)) {
      return check("icims", "icims_input_invalid", "The Customer ID is digits only.", "Type it as your iCIMS contact gave it, for example 1234.", "icims_customer_id");
    }
    if (!key) throw fail("secret_missing", "Paste the HMAC key.", "icims_hmac_key");
    if (input.customer_id !== e.customer_id) {
      return check("icims", "icims_customer_not_found", `iCIMS has no customer ${input.customer_id}.`, "Check the Customer ID with your iCIMS contact.", "icims_customer_id", `GET https://api.icims.com/customers/${input.customer_id}/search/people → 404 Not Found`);
    }
    if (input.region !== e.region) {
      return check("icims", "icims_wrong_region", `This looks like an ${e.region.toUpperCase()} customer — try the ${e.region.toUpperCase()} region.`, null, "icims_region", "US endpoint answered 404 for this customer; EU endpoint answered 401");
    }
    if (input.username !== e.username || key !== e.key) {
      return check("icims", "icims_credentials_refused", "iCIMS did not accept this username and HMAC key.", "Check both with your iCIMS contact; the key is case-sensitive.", "icims_hmac_key", `GET https://api.icims.com/customers/${input.customer_id}/search/people → 401 Unauthorized (signature mismatch)`);
    }
    return check("icims", "passed", `Connected to iCIMS customer ${e.customer_id} as ${e.username}.`, null, null, "1 call used; 9,987 left today (limit 10,000)");
  }

  // ---------- seed ----------
  for (const spec of scenario.connections ?? []) {
    const c = makeConnection(spec);
    state.connections.set(c.name, c);
    if (spec.history) seedHistory(c);
    if (spec.failedRun) seedFailedRun(c, spec.failedRun);
    if (spec.reviews) seedReviewRun(c);
  }

  // ---------- the Tauri internals ----------
  const fake = {
    state,
    /** @type {Array<{ cmd: string, args: unknown }>} */
    calls: [],
    emitted,
    emit,
    /** The tray's "Pause schedules": the backend pauses, then tells the window. */
    pauseFromTray() {
      state.background.schedules_paused = true;
      emit("background-changed", { ...state.background });
    },
    /** @param {string} key */
    pause(key) {
      gates.set(key, { paused: true, credits: 0, waiters: [] });
    },
    /** @param {string} key */
    step(key, n = 1) {
      const g = gates.get(key);
      if (!g) return;
      for (let i = 0; i < n; i++) {
        const next = g.waiters.shift();
        if (next) next();
        else g.credits += 1;
      }
    },
    /** @param {string} key */
    resume(key) {
      const g = gates.get(key);
      if (!g) return;
      g.paused = false;
      g.waiters.splice(0).forEach((r) => r());
    },
    /** @param {string} key */
    waiting(key) {
      return gates.get(key)?.waiters.length ?? 0;
    },
    /** @param {string} name @param {Partial<Connection>} patch */
    set(name, patch) {
      Object.assign(get(name), patch);
    },
    /** Namely's answer to the waiting Sign in with Namely of `name`; false when none waits. @param {string} name @param {SignInAnswer} answer */
    answerSignIn(name, answer) {
      const p = get(name).pending;
      p?.answer(answer);
      return !!p;
    },
    /** Whether `name` has a Sign in with Namely waiting for its answer. @param {string} name */
    signInWaiting(name) {
      return !!get(name).pending?.finishing;
    },
  };
  win.__fake = fake;

  /**
   * What `invoke` of @tauri-apps/api reaches: the event plugin, then the commands.
   * @param {string} cmd @param {any} args
   */
  async function invoke(cmd, args = {}) {
    fake.calls.push({ cmd, args });
    switch (cmd) {
      case "plugin:event|listen": {
        const list = listeners.get(args.event) ?? [];
        listeners.set(args.event, list);
        list.push(args.handler);
        return args.handler;
      }
      case "plugin:event|unlisten": {
        const list = listeners.get(args.event) ?? [];
        const i = list.indexOf(args.eventId);
        if (i >= 0) list.splice(i, 1);
        return null;
      }
      case "plugin:event|emit":
        dispatch(args.event, args.payload);
        return null;
    }
    if (!Object.prototype.hasOwnProperty.call(commands, cmd)) throw fail("internal", `unknown command ${cmd}`);
    const handler = /** @type {(args: unknown) => unknown} */ (commands[/** @type {keyof Commands} */ (cmd)]);
    await gate(cmd);
    await sleep(DELAY);
    // Copy answers so the app cannot mutate the fake's state by reference.
    return JSON.parse(JSON.stringify((await handler(args)) ?? null));
  }

  /** @param {((data: unknown) => unknown) | undefined} callback @param {boolean} once */
  function transformCallback(callback, once = false) {
    const id = window.crypto.getRandomValues(new Uint32Array(1))[0];
    callbacks.set(id, (data) => {
      if (once) callbacks.delete(id);
      return callback && callback(data);
    });
    return id;
  }

  win.__TAURI_INTERNALS__ = win.__TAURI_INTERNALS__ ?? {};
  win.__TAURI_EVENT_PLUGIN_INTERNALS__ = win.__TAURI_EVENT_PLUGIN_INTERNALS__ ?? {};
  Object.assign(win.__TAURI_INTERNALS__, {
    invoke,
    transformCallback,
    /** @param {number} id */
    unregisterCallback: (id) => callbacks.delete(id),
    /** @param {number} id @param {unknown} data */
    runCallback: (id, data) => callbacks.get(id)?.(data),
    callbacks,
    metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
  });
  /** @param {string} _event @param {number} id */
  win.__TAURI_EVENT_PLUGIN_INTERNALS__.unregisterListener = (_event, id) => callbacks.delete(id);
})();
