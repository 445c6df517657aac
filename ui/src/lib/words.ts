// Every word a person reads in the interface, in one place. Components never hold literal
// sentences; they pick them from here. Text in `backticks` is shown as code.
import type {
  ErrorCode,
  OutcomeKind,
  OwnerVerdict,
  RunErrorCode,
  RunStatus,
  SecretKind,
  SetupStep,
  SyncPhase,
  Trigger,
} from "../ipc/bindings";

/** "1 profile" / "9 profiles": English plural with the number already formatted. */
export function plural(count: number, formatted: string, one: string, many: string): string {
  return `${formatted} ${count === 1 ? one : many}`;
}

const stops: Record<SetupStep, string> = {
  namely_field: "Namely field",
  namely_sign_in: "Sign in to Namely",
  owner: "Owner",
  icims: "iCIMS",
  review: "Review & first sync",
};

const secretNames: Record<SecretKind, string> = {
  namely_token: "Token",
  icims_hmac_key: "HMAC key",
  alert_webhook: "Alert webhook",
  namely_client_secret: "Client secret",
  namely_refresh_token: "Sign-in with Namely",
};

const errorFallbacks: Record<ErrorCode, string> = {
  invalid_input: "Something you typed is not valid. Check the highlighted field.",
  not_found: "This company is no longer set up in the app.",
  already_exists: "A connection with this name already exists. Choose another name.",
  busy: "A sync is already running for this company. Wait until it ends.",
  secret_missing: "A saved key or token is missing. Add it again in Settings.",
  keychain: "The system keychain refused the request. Unlock it and try again.",
  credentials: "iCIMS or Namely did not accept the saved credentials.",
  network: "iCIMS or Namely could not be reached. Check the internet connection and try again.",
  storage: "The app could not read or write its local data.",
  internal: "Something went wrong inside the app. Try again; if it keeps happening, restart the app.",
};

export const w = {
  app: {
    name: "iCIMS → Namely",
    allCompanies: "All companies",
    loading: "Loading…",
    loadFailed: "The app could not read its saved companies.",
    tryAgain: "Try again",
    mainNav: "Main",
  },

  common: {
    show: "Show",
    hide: "Hide",
    showLabel: (label: string) => `Show ${label}`,
    details: "Details",
    cancel: "Cancel",
    back: "Back",
    continue: "Continue",
    checking: "Checking…",
    checkAgain: "Check again",
    replace: "Replace",
    remove: "Remove",
    removing: "Removing…",
    saving: "Saving…",
    checkedAt: "Checked",
    unknown: "Unknown",
    none: "—",
  },

  errors: {
    fallback: (code: ErrorCode) => errorFallbacks[code],
    /** What to do, added after the backend's words, for the errors this app can point at. */
    hint: (code: ErrorCode): string | null =>
      code === "secret_missing" ? "Open the company's Settings to enter it." : null,
  },

  sandboxBanner: "Sandbox — simulated iCIMS and Namely; nothing leaves this computer",
  sandboxKept: "The demo data is kept on this computer from one app session to the next.",
  sandboxBadge: "Sandbox",

  keychain: {
    sessionOnly:
      "No system keychain was found: keys and tokens are kept only until the app closes.",
  },

  welcome: {
    title: "Send new hires from iCIMS to Namely",
    lead:
      "When a candidate is hired in iCIMS, this app creates their active employee profile in Namely — exactly once, tagged with their iCIMS person id.",
    connect: "Connect a company",
    sandbox: "Try the sandbox",
    startingSandbox: "Starting the sandbox…",
    sandboxHint: "The sandbox simulates iCIMS and Namely on this computer; no accounts needed.",
  },

  connect: {
    title: "Connect a company",
    lead: "Start with the company's Namely address. Every setup check uses it.",
    permalinkLabel: "Namely permalink",
    permalinkHint: "yourcompany or yourcompany.namely.com",
    resolving: "Checking the address…",
    resolvedLabel: "Namely address",
    nameLabel: "Connection name",
    nameHint: "How this company is listed in the app. Consultants: the client's name works well.",
    submit: "Create and start setup",
    creating: "Creating…",
    nameRequired: "Give the connection a name.",
    permalinkRequired: "Type the company's Namely permalink.",
  },

  wizard: {
    title: (name: string) => `Set up ${name}`,
    stepperLabel: "Setup steps",
    stopName: (step: SetupStep) => stops[step],
    status: {
      not_started: "Not started",
      checking: "Checking…",
      verifiedAt: "✓ verified at",
      failed: "✗ needs attention",
    },
    continueHint: "Continue unlocks once this step is verified.",
    loadFailed: "The setup of this company could not be opened.",
  },

  field: {
    title: "Namely field",
    lead:
      "The app writes each new hire's iCIMS person id into a Namely profile field called `icims_id`. That is how it knows who is already in Namely, so nobody is added twice. Create the field once:",
    steps: [
      "In Namely, open Company › Settings › Profile Fields.",
      "Click Add New Field.",
      "Label: `icims_id` — exactly like this, all lower case.",
      "Type: Text.",
      "Save the field.",
    ],
    typoAdvice:
      "Made a typo? Delete the field and create it again. Never rename it: Namely keeps the old internal name, so it would still not match.",
    needTokenTitle: "First, sign in to Namely",
    needTokenLead: "The app needs to sign in to Namely to read your profile fields.",
    adminTokenTitle: "Sign in as an Administrator",
    adminTokenLead:
      "Namely shows custom fields only to people allowed to see them. Paste a personal access token of an active Administrator, then the field is checked again.",
  },

  signIn: {
    title: "Sign in to Namely",
    lead:
      "Choose how the app signs in to Namely. Either way the sign-in is checked live, and what the app keeps stays in the system keychain, never shown again.",
    waysLegend: "How the app signs in to Namely",
    oauthWay: "Sign in with Namely",
    oauthWhen:
      "Recommended when your company's policy forbids long-lived tokens. You sign in as yourself on Namely's own page and click Accept; the access lasts as long as the sign-in is not revoked in Namely.",
    tokenWay: "Paste a personal access token",
    tokenWhen:
      "For an Integrations user who is an active Administrator; suits a shared machine or a server. The token lasts 2 years: create it in Namely and paste it here.",
    tokenLabel: "Personal access token",
    tokenHint: "In Namely: your profile › API › Personal Access Tokens › New token. Paste it here.",
    submit: "Save and sign in",
    signedIn: (company: string, person: string, role: string) =>
      `Signed in to ${company} as ${person} (${role})`,
    tokenRequired: "Paste the token first.",
    roleNotReported: "access role not reported by Namely",
    replacesOAuth: "Saving a token replaces the sign-in with Namely.",
    replacesToken: "Signing in with Namely replaces the saved personal access token.",

    clientId: "Client ID",
    clientIdHint: "Of the application registered in Namely (Namely › API).",
    clientIdRequired: "Paste the client ID of the application registered in Namely.",
    clientSecret: "Client secret",
    clientSecretHint: "Shown by Namely next to the client ID. Kept in the system keychain, never shown again.",
    clientSecretRequired: "Paste the client secret of the application registered in Namely.",
    registerTitle: "How to register the application in Namely",
    registerSteps: [
      "In Namely, open API › Register an application (older Namely: API › API Clients).",
      "Name: `icims-namely`.",
      "Website: any address, for example your company's.",
      "Redirect URI: exactly the address below — copy it rather than typing it.",
      "Save, then copy the Client ID and the Client secret Namely shows into the fields here.",
    ],
    redirectUri: "Redirect URI",
    port: "Port of the redirect URI",
    portHint: "Change it only when another program uses this port; then register the new redirect URI in Namely.",
    portInvalid: "The port is a number from 1024 to 65535.",
    copy: "Copy",
    copied: "Copied",
    copyRedirect: "Copy the redirect URI",
    copyLink: "Copy the sign-in link",
    copyFailed: "Could not copy: select the address and press Ctrl+C.",
    sandboxApp:
      "In the sandbox, the demo application is registered already and its client ID and secret are filled in.",
    button: "Sign in with Namely",
    opening: "Opening Namely…",
    waiting: "Waiting for you to click Accept in the browser…",
    waitingSandbox: "Waiting for you to click Accept in the Namely (sandbox) window…",
    waitingHint:
      "Namely's sign-in page opened in your browser. Sign in there if Namely asks, then click Accept. No page? Open it again, or copy the link into the browser where you use Namely.",
    waitingHintSandbox:
      "The sandbox's Namely opened its sign-in page in a window of this app. Click Accept there. No window? Open it again.",
    openAgain: "Open the sign-in page again",
    link: "Sign-in link",
    waitLimit: "The app waits up to 5 minutes.",
    signedInWithNamely: (clientId: string) =>
      `Signed in with Namely, through the application with client ID \`${clientId}\`.`,
    signInAgain: "Sign in again",
    useToken: "Use a personal access token instead",
    useOAuth: "Sign in with Namely instead",
  },

  owner: {
    title: "Owner",
    lead:
      "An active Namely Administrator owns this connection: profiles are created with their access, and before every sync the app checks that they still qualify.",
    caption: "People who have signed in for this company",
    choose: "Choose",
    columns: {
      name: "Name",
      email: "Email",
      role: "Access role",
      status: "Status",
      verified: "Last verified",
      verdict: "Verdict",
    },
    verdict: {
      can_own: "✓ can own",
      not_administrator: "✗ not an Administrator",
      inactive: "✗ inactive in Namely",
      role_unknown: "? Namely does not show access roles",
    } satisfies Record<OwnerVerdict, string>,
    /** A role_unknown verdict Namely gave without saying the person is active: nothing to confirm here. */
    statusUnknown: "? Namely does not say whether they are active",
    statusUnknownHint: "Check in Namely that they are an active Administrator, or choose someone else.",
    roleNotReported: "Not reported",
    confirmLabel: (name: string) => `${name} is an Administrator in Namely`,
    confirmHint: "Look them up in Namely (Company › Access roles) before you tick this.",
    confirmedVerdict: "✓ can own",
    confirmedBy: (by: string, on: string) => `Administrator confirmed by ${by} on ${on}`,
    tickFirst: (name: string) =>
      `Namely does not say whether ${name} is an Administrator: tick “${name} is an Administrator in Namely” once you have checked.`,
    confirmOwner: (name: string) => `Confirm ${name} as the owner`,
    signInFirstShort: (name: string) => `Sign in as ${name} first (part 2), then confirm their role here.`,
    confirmSignInFirst: (name: string) =>
      `Namely does not say whether ${name} is an Administrator. ${name} confirms it here, signed in as themselves: the sync uses the owner's own token.`,
    tokenMark: "Token saved",
    tokenMarkTitle: "The saved Namely token belongs to this person",
    signInAs: (name: string) => `Sign in as ${name}`,
    userStatus: (s: string) => (s === "active" ? "Active" : s === "inactive" ? "Inactive" : s),
    makeOwner: (name: string) => `Make ${name} the owner`,
    pickSomeone: "Choose someone above",
    choosing: "Saving…",
    currentOwner: "Current owner",
    nobody:
      "An active Administrator must sign in once. Send them this app, or ask them to sign in here.",
    signInHere: "Sign in as someone else",
    loading: "Reading who has signed in…",
    noCandidates: "Nobody has signed in for this company yet.",
  },

  icims: {
    title: "iCIMS",
    lead:
      "Your iCIMS contact gives you these with the API access. The app signs every request with the HMAC key and never sends the key itself.",
    customerId: "Customer ID",
    customerIdHint: "Digits only, for example 1234.",
    customerIdDigits: "The Customer ID is digits only, for example 1234.",
    username: "Username",
    hmacKey: "HMAC Key",
    region: "Region",
    regions: { us: "US", eu: "EU" },
    test: "Test connection",
    testing: "Testing…",
    save: "Save",
    saving: "Saving…",
    saveHint: "Test the connection first; Save unlocks when the test passes.",
    keyRequired: "Paste the HMAC key.",
    usernameRequired: "Type the iCIMS API username.",
    keepKey: "Keep the saved key",
  },

  review: {
    title: "Review & first sync",
    lead:
      "Choose from which date hires come in, what counts as hired and how often to sync. Then look at the dry run: nothing is written to Namely until you approve it.",
    statusesTitle: "What counts as hired",
    statusesLabel: "iCIMS statuses that count as hired",
    statusesHint: "Type a status exactly as iCIMS shows it and press Enter.",
    statusesRequired: "Add at least one status.",
    removeStatus: (s: string) => `Remove ${s}`,
    savePreview: "Save and preview",
    previewAgain: "Preview again",
    previewing: "Preparing the dry run…",
    previewStale: "The settings changed since this dry run. Preview again before creating profiles.",
    dryRunAt: "Dry run",
    dryRunNote: "nothing was written to Namely.",
    tableCaption: "What the first sync would do",
    startFromTitle: "Bring in hires starting from",
    startFromWhy:
      "People who started before this date are never added — a first sync must not import years of hiring history.",
    startFromLegend: "Start-from date",
    otherDate: "Another date",
    otherDateLabel: "Start-from date (another date)",
    otherDateHint: "YYYY-MM-DD, for example 2026-11-01",
    hires: (n: number, formatted: string) => plural(n, formatted, "hire", "hires"),
    atLeastHires: (n: number, formatted: string) => `at least ${plural(n, formatted, "hire", "hires")}`,
    countAfterPreview: "run the preview to count",
    countUnknown: "preview to count",
    startFromInvalid: "Type a whole date, for example 2026-11-01.",
    startFromRequired: "Choose a date, or type one.",
    leftOutWhy: (date: string) => `(started before ${date})`,
    leftOutDone: (n: string, date: string) => `${n} left out (started before ${date})`,
    notStartedTitle: "The dry run did not start",
    syncNotStartedTitle: "The first sync did not start",
    fixAt: {
      owner: "Go to the Owner stop",
      namely_sign_in: "Go to Sign in to Namely",
      icims: "Go to the iCIMS stop",
    } as Record<"owner" | "namely_sign_in" | "icims", string>,
    create: (n: number, formatted: string) =>
      `Create ${plural(n, formatted, "profile", "profiles")} in Namely`,
    finish: "Finish setup (nothing to create)",
    running: "Sync in progress",
    doneTitle: "First sync finished",
    toDashboard: "Go to the dashboard",
    toHistory: "See the history",
    noHires: "iCIMS has no hires with these statuses yet.",
  },

  summary: {
    added: (n: string) => `${n} added`,
    needsReview: (count: number, n: string) => `${n} ${count === 1 ? "needs" : "need"} review`,
    invalid: (n: string) => `${n} invalid`,
    failed: (n: string) => `${n} failed`,
  },

  counts: {
    would_create: "to create",
    already_in_namely: "already in Namely",
    needs_review: "need review",
    invalid: "invalid",
    left_out: "left out",
  },

  schedule: {
    legend: "Schedule",
    off: "Off",
    hourly: "Every hour",
    everyN: "Every",
    hoursSuffix: "hours",
    hoursLabel: "Hours between syncs",
    daily: "Daily at",
    timeLabel: "Time of the daily sync",
    describe: {
      off: "Off",
      hourly: "Every hour",
      everyMinutes: (n: number) => (n === 1 ? "Every minute" : `Every ${n} minutes`),
      everyN: (n: number) => `Every ${n} hours`,
      daily: (t: string) => `Daily at ${t}`,
    },
    hoursInvalid: "Choose a whole number of hours from 1 to 24.",
    minutesInvalid: "Choose a whole number of minutes from 1 to 1440.",
    timeInvalid: "Choose a time like 07:00.",
  },

  progress: {
    phase: {
      searching: "Searching iCIMS for hires…",
      reading_hires: "Reading hires from iCIMS…",
      indexing_namely: "Checking who is already in Namely…",
      planning: "Deciding what to do with each hire…",
      adding_to_namely: "Adding to Namely…",
      done: "Finished",
    } satisfies Record<SyncPhase, string>,
    of: (done: string, total: string) => `${done} of ${total}`,
    /** Time left in a phase, e.g. while Namely's 100-pages-a-minute limit paces a listing. */
    left: (seconds: number) =>
      seconds < 60
        ? `about ${Math.max(5, Math.round(seconds / 5) * 5)} seconds left`
        : `about ${Math.round(seconds / 60)} min left (Namely allows 100 pages of profiles a minute)`,
    read: "Read",
    created: "Created",
    skipped: "Skipped",
    failed: "Failed",
    label: "Sync progress",
  },

  dashboard: {
    title: "Companies",
    add: "Add a company",
    syncNow: "Sync now",
    syncing: "Sync in progress",
    cancel: "Cancel",
    cancelHint: "Stops after the hire being added now; the next sync picks up where it stopped.",
    stopping: "Stopping…",
    cancelledResult: (counts: string | null) =>
      counts
        ? `Sync cancelled: ${counts} before it stopped. The next sync picks up the rest.`
        : "Sync cancelled before it added anyone. The next sync picks up where it stopped.",
    cancelledShort: "cancelled",
    continueSetup: "Continue setup",
    history: "History",
    settings: "Settings",
    lastSync: "Last sync",
    nextSync: "Next sync",
    never: "Never",
    scheduleOff: "Schedule off",
    nothingNew: "nothing new",
    filterLabel: "Show",
    sortLabel: "Sort by",
    filters: { all: "All companies", attention: "Needs attention", healthy: "Healthy" },
    sorts: { health: "Health", name: "Name", last_sync: "Last sync" },
    noneMatch: "No company matches this filter.",
    paused: "Scheduled syncs are paused. Sync now still works.",
    resume: "Resume schedules",
    chips: {
      setup: "Setup",
      owner: "Owner",
      icims_key: "iCIMS key",
      namely_token: "Namely sign-in",
    },
    chipOk: "OK",
    chipBad: "needs attention",
    healthLabel: "Health",
    runProblem: {
      failed: "The last sync failed.",
      finished_with_failures: "The last sync finished with failures.",
      stopped_budget: "The last sync stopped early: the iCIMS daily call limit ran low. It resumes next run.",
      interrupted: "The last sync was interrupted. It resumes next run.",
      cancelled: "The last sync was cancelled. The next sync picks up where it stopped.",
      not_started: "The last sync did not start: setup needs attention.",
    } as Partial<Record<RunStatus, string>>,
    warningsLabel: "Warnings",
    didNotStart: "did not start",
    syncedResult: "Sync finished",
  },

  history: {
    title: (name: string) => `History — ${name}`,
    caption: "Sync runs, newest first",
    columns: {
      when: "When",
      trigger: "Trigger",
      duration: "Duration",
      added: "Added",
      already: "Already there",
      review: "Needs review",
      invalid: "Invalid",
      failed: "Failed",
      calls: "iCIMS calls",
    },
    open: (when: string) => `Open the run of ${when}`,
    empty: "No sync has run yet.",
    loading: "Loading the history…",
    running: "Running…",
    runTitlePrefix: "Run of",
    backToRuns: "All runs",
    records: "Hires in this run",
    columnsRun: { name: "Name", email: "Email", outcome: "Outcome", reason: "Reason" },
    retry: "Retry failed",
    retrying: "Retrying…",
    export: "Export CSV",
    exporting: "Exporting…",
    savedTo: (path: string) => `Saved to ${path}`,
    filterLabel: "Show",
    allOutcomes: "All outcomes",
    noRecords: "No hires in this run.",
    dryRun: "Dry run",
    calls: (icims: string, namely: string) => `${icims} iCIMS calls, ${namely} Namely calls`,
    runsTitle: "Runs",
    reviewsWaiting: (n: number, formatted: string) =>
      `${formatted} ${n === 1 ? "hire" : "hires"} needed review in this run: Link each to the profile already in Namely, or Create anyway.`,
    openReviews: "See what still needs review",
    leftOutShort: (n: string) => `${n} left out`,
    leftOut: (n: number, formatted: string) =>
      `${formatted} ${n === 1 ? "hire was" : "hires were"} left out: started before the start-from date.`,
  },

  reviews: {
    title: "Needs review",
    count: (n: string) => `(${n})`,
    lead:
      "These hires may already be in Namely. Link each one to the profile that is already them, or create a new profile anyway.",
    loading: "Reading the hires that need review…",
    none: "No hire needs review.",
    inIcims: "In iCIMS",
    inNamely: "Possibly in Namely",
    personId: (id: number) => `iCIMS person ${id}`,
    profileId: (id: string) => `Namely profile ${id}`,
    start: "Start",
    email: "Email",
    noEmail: "no email",
    since: "Waiting since",
    noProfile: "No Namely profile was suggested.",
    link: "Link",
    linking: "Linking…",
    linkHint: (id: number, who: string) => `Writes icims_id ${id} onto ${who}'s profile.`,
    linkDisabled: "Nothing to link: no Namely profile was suggested for this hire.",
    createAnyway: "Create anyway…",
    createHeld: (kind: "email_taken" | "same_email_in_run") =>
      kind === "email_taken"
        ? "Create anyway is held back: this email already belongs to that Namely profile (one mailbox, one profile). Link it, or change the email in iCIMS or Namely."
        : "Create anyway is held back: another hire has the same email. Correct the email in iCIMS; the next sync adds them.",
    creating: "Creating…",
    confirmTitle: "Create anyway?",
    confirmBody: (name: string, other: string | null) =>
      other
        ? `Add ${name} as a new active profile although ${other} may be the same person?`
        : `Add ${name} as a new active profile although they may already be in Namely?`,
    confirmCreate: "Create anyway",
    resultTitle: (name: string) => `${name}:`,
    notStarted: "Nothing was changed:",
  },

  settings: {
    title: (name: string) => `Settings — ${name}`,
    company: "Company",
    namelyAddress: "Namely address",
    companyName: "Company in Namely",
    openSetup: "Open setup",
    syncTitle: "Sync",
    saveSync: "Save sync settings",
    saved: "Saved.",
    namelyTitle: "Namely sign-in",
    icimsTitle: "iCIMS connection",
    notSet: (what: string) => `No ${what} saved.`,
    readAgain: (date: string, reason: string) => `The next sync reads iCIMS again from ${date} because ${reason}.`,
    readsLabel: "iCIMS reads at once",
    readsHint:
      "How many iCIMS calls a sync keeps in flight. Lower it if iCIMS refuses overlapping calls for this company; the daily call budget is spent the same either way.",
    readsDefault: (n: number) => `${n} (default)`,
    removeTitle: "Remove this company",
    removeLead:
      "The app forgets this company's settings and removes its key and token from the keychain. Nothing changes in iCIMS or Namely.",
    removeButton: "Remove company…",
    confirmTitle: (name: string) => `Remove ${name}?`,
    confirmBody:
      "The app forgets this company's settings and removes its key and token from the system keychain. Its sync history is kept unless you also remove it. Nothing changes in iCIMS or Namely.",
    alsoHistory: "Also remove the sync history",
    confirmRemove: "Remove company",
    computerTitle: "On this computer",
    computerLead:
      "While any company has a schedule, closing the window keeps icims-namely running in the system tray, so scheduled syncs go on. Quit it from the tray icon.",
    startAtLogin: "Start icims-namely when I log in (it opens in the tray)",
    pauseSchedules: "Pause every schedule",
    pausedNote: "Schedules are paused until you resume them or restart the app.",
  },

  secrets: {
    name: (kind: SecretKind) => secretNames[kind],
    /** Followed by the date: where it is kept, the system keychain or (without one) this session. */
    savedSince: (kind: SecretKind, keychainPersistent: boolean) =>
      keychainPersistent
        ? `${secretNames[kind]} saved in the system keychain on`
        : `${secretNames[kind]} kept for this session only (no system keychain), since`,
    fromFolder: (kind: SecretKind) => `${secretNames[kind]} read from the secrets folder:`,
    folderChanged: "changed on",
    folderHint: "To replace or remove it, change or delete that file; the app never writes to the secrets folder.",
  },

  outcome: {
    created: "Added",
    created_with_warning: "Added with a warning",
    would_create: "Will be added",
    already_in_namely: "Already in Namely",
    needs_review: "Needs review",
    invalid: "Invalid",
    failed: "Failed",
    left_out: "Left out",
  } satisfies Record<OutcomeKind, string>,
  /** The outcome in full, where there is room (the history's filter). */
  outcomeLong: {
    left_out: "Left out: started before the start-from date",
  } as Partial<Record<OutcomeKind, string>>,

  trigger: {
    manual: "Manual",
    schedule: "Schedule",
    cli: "Command line",
    retry: "Retry",
    review: "Review",
  } satisfies Record<Trigger, string>,

  /** What to do about a run that failed, by its error code, when it is something to fix here. */
  runFix: {
    namely_credentials: "Namely refused the saved credential. Sign in to Namely again in Settings.",
    icims_credentials: "iCIMS refused the Username or HMAC key. Check them in Settings.",
    icims_access: "The iCIMS user may not search for hires. Check the iCIMS connection in Settings.",
    secret_missing: "A key or token is missing. Enter it in Settings.",
    keychain: "The system keychain refused. Unlock it, then open Settings to check the saved keys.",
    owner_invalid: "The owner check failed before the sync: nothing was read or sent. Fix the owner in Setup (part 3, Owner).",
  } satisfies Partial<Record<RunErrorCode, string>>,
  openSettings: "Open Settings",
  openSetup: "Open Setup",

  runStatus: {
    running: "Running",
    succeeded: "Finished",
    finished_with_failures: "Finished with failures",
    failed: "Failed",
    stopped_budget: "Stopped: iCIMS call limit",
    interrupted: "Interrupted",
    cancelled: "Cancelled",
    not_started: "Did not start",
  } satisfies Record<RunStatus, string>,
};
