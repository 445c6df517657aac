// Dashboard, live sync progress, history and settings, against the fake backend.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { advance, button, buttonState, card, fake, seeText, shot, until, useApp, visible } from "./harness.mjs";

const { app } = useApp();

const TWO_COMPANIES = {
  connections: [
    {
      name: "Acme",
      company: "Acme Corp",
      stage: "done",
      schedule: { kind: "daily_at", hour: 9, minute: 0 },
      history: true,
      hires: { total: 340, new: 9 },
    },
    { name: "Globex", permalink: "globex", company: "Globex Corporation", stage: "icims" },
  ],
};


describe("dashboard", () => {
  it("shows one card per company with health, last and next sync", async () => {
    const { page, done } = await app(TWO_COMPANIES);
    await seeText(page, "Companies");
    const acme = card(page, "Acme");
    await visible(acme);
    assert.deepEqual(
      (await acme.locator(".chips li").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim()),
      ["Setup ✓: OK", "Owner ✓: OK", "iCIMS key ✓: OK", "Namely sign-in ✓: OK"],
    );
    await visible(acme.getByText(/— 3 added, 1 needs review$/));
    await visible(acme.getByText(/Tomorrow 09:00|Today 09:00/));
    await visible(acme.getByText("Daily at 09:00", { exact: false }));
    assert.ok(await button(acme, "Sync now").isEnabled());

    const globex = card(page, "Globex");
    await visible(globex.getByText("iCIMS key ✗", { exact: false }));
    await visible(button(globex, "Continue setup"));
    assert.equal(await button(globex, "Sync now").count(), 0);
    await visible(globex.getByText("Never"));
    await visible(button(page, "Add a company"));
    await shot(page, "21-dashboard-two-companies");

    // Filter and sort by health.
    await page.getByLabel("Show").selectOption("healthy");
    await seeText(page, "No company matches this filter.");
    await page.getByLabel("Show").selectOption("attention");
    assert.deepEqual(await page.locator("article h2").allTextContents(), ["Globex", "Acme"]);
    await page.getByLabel("Sort by").selectOption("name");
    assert.deepEqual(await page.locator("article h2").allTextContents(), ["Acme", "Globex"]);
    await done();
  });

  it("runs Sync now with live progress and keeps it disabled while running", async () => {
    const { page, done } = await app(TWO_COMPANIES);
    const acme = card(page, "Acme");
    await fake.pause(page, "sync");
    await (await visible(button(acme, "Sync now"))).click();
    await advance(page, "sync", 2); // searching, then the first 120 hires
    await visible(acme.getByText("Reading hires from iCIMS… 120 of 340"));
    const running = button(acme, "Sync in progress");
    assert.equal(await running.isDisabled(), true);
    await visible(acme.getByText(/Read\s+120/));
    await shot(page, "22-dashboard-sync-running");

    await advance(page, "sync", 7); // 240, 340, indexing, planning, 1, 2, 3 added
    await visible(acme.getByText("Adding to Namely… 3 of 9"));
    await visible(acme.getByText(/Created\s+3/));
    assert.equal(await running.isDisabled(), true);
    // Other cards stay usable while one syncs.
    assert.ok(await button(card(page, "Globex"), "Continue setup").isEnabled());

    await fake.resume(page, "sync");
    await visible(acme.getByText("✓ Sync finished: 9 added"));
    await buttonState(button(acme, "Sync now"), true);
    await visible(acme.getByText(/Today \d\d:\d\d — 9 added$/));
    // Like the shell, the fake ends every run with `sync-finished`, after the last progress.
    const events = await fake.events(page);
    const last = events.at(-1);
    assert.equal(last.event, "sync-finished");
    assert.equal(last.payload.connection, "Acme");
    assert.equal(last.payload.run.status, "succeeded");
    assert.equal(last.payload.run.counts.created, 9);
    assert.equal(events.at(-2).event, "sync-progress");
    assert.equal(events.at(-2).payload.phase, "done");
    await done();
  });

  it("disables Sync now when the backend says a sync is already running", async () => {
    const { page, done } = await app(TWO_COMPANIES);
    const acme = card(page, "Acme");
    await visible(button(acme, "Sync now"));
    // A scheduled run starts behind the window's back.
    await fake.set(page, "Acme", { running: true });
    await button(acme, "Sync now").click();
    await visible(acme.getByText("A sync is already running for this company. Wait until it ends."));
    await buttonState(button(acme, "Sync in progress"), false);
    // Its progress arrives as events and its end as `sync-finished`, as the shell sends for
    // scheduled runs too; when it ends, the button comes back.
    await fake.set(page, "Acme", { running: false });
    await page.evaluate(() => {
      window.__fake.emit("sync-progress", {
        connection: "Acme",
        run_id: 99,
        phase: "done",
        done: 0,
        total: 0,
        counts: { read: 0, created: 0, would_create: 0, already_in_namely: 0, needs_review: 0, invalid: 0, failed: 0 },
      });
      window.__fake.emit("sync-finished", { connection: "Acme", run: null });
    });
    await buttonState(button(acme, "Sync now"), true);
    await done();
  });

  it("says how long a first listing of a large Namely company still takes", async () => {
    const { page, done } = await app(TWO_COMPANIES);
    const acme = card(page, "Acme");
    await visible(button(acme, "Sync now"));
    await fake.set(page, "Acme", { running: true });
    await page.evaluate(() => {
      window.__fake.emit("sync-progress", {
        connection: "Acme",
        run_id: 98,
        phase: "indexing_namely",
        done: 2350,
        total: 10000,
        seconds_left: 125,
        counts: { read: 40, created: 0, would_create: 0, already_in_namely: 0, needs_review: 0, invalid: 0, failed: 0, left_out: 0 },
      });
    });
    await visible(
      acme.getByText("Checking who is already in Namely… 2,350 of 10,000 · about 2 min left (Namely allows 100 pages of profiles a minute)"),
    );
    await shot(page, "dashboard-listing-eta");
    await done();
  });
});

describe("history", () => {
  it("points a run that failed on a refused credential at Settings, by its error code", async () => {
    const { page, done } = await app({
      connections: [{ name: "Acme", stage: "done", failedRun: "namely_credentials" }],
    });
    await (await visible(button(card(page, "Acme"), "History"))).click();
    await seeText(page, "History — Acme");
    await page.locator("tbody tr").first().getByRole("button").click();
    await seeText(page, "Namely refused the credential — sign in again. Nothing was sent.");
    await seeText(page, "Namely refused the saved credential. Sign in to Namely again in Settings.");
    await shot(page, "24b-history-failed-run-fix");
    await button(page, "Open Settings").click();
    await seeText(page, "Settings — Acme");
    await visible(page.getByRole("heading", { name: "Namely sign-in" }));
    await done();
  });

  it("offers no Settings link where the next run simply tries again", async () => {
    const { page, done } = await app({
      connections: [{ name: "Acme", stage: "done", failedRun: "icims_unavailable" }],
    });
    await (await visible(button(card(page, "Acme"), "History"))).click();
    await page.locator("tbody tr").first().getByRole("button").click();
    await seeText(page, /after 3 attempts: iCIMS answered 503/);
    assert.equal(await page.getByRole("button", { name: "Open Settings" }).count(), 0);
    await done();
  });

  it("keeps a hostile hire's 10,000-character name and its reason inside the page", async () => {
    const { page, done } = await app({
      connections: [{ name: "Acme", company: "Acme Corp", stage: "done", hires: { total: 6, new: 3, hostile: 1 } }],
    });
    const acme = card(page, "Acme");
    await (await visible(button(acme, "Sync now"))).click();
    await visible(acme.getByText(/✓ Sync finished: 3 added/));
    await button(acme, "History").click();
    await seeText(page, "History — Acme");
    await page.locator("tbody tr").first().getByRole("button").click();
    await seeText(page, /Invalid: the last name "X{40}…" \(10000 characters\)/);
    await seeText(page, /^Hostile X+…$/);
    // Nothing runs off the side: neither the page nor the table scrolls sideways for one long
    // name, so the outcome and reason stay in sight; the whole name is the cell's tooltip.
    const overflow = await page.evaluate(() => {
      const table = document.querySelector(".records");
      const root = document.documentElement;
      return Math.max(root.scrollWidth - root.clientWidth, table ? table.scrollWidth - table.clientWidth : 0);
    });
    await shot(page, "24c-history-hostile-record");
    assert.ok(overflow <= 0, `the run's table scrolls ${overflow}px sideways`);
    assert.match((await page.locator(".records .name .cut").nth(3).getAttribute("title")) ?? "", /^Hostile X{112}…$/);
    await done();
  });

  it("lists runs newest first and opens one with every hire's reason", async () => {
    const { page, done } = await app(TWO_COMPANIES);
    await (await visible(button(card(page, "Acme"), "History"))).click();
    await seeText(page, "History — Acme");
    const rows = page.locator("tbody tr");
    await visible(rows);
    assert.equal(await rows.count(), 3);
    const cells = async (i) => (await rows.nth(i).locator("td").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
    const newest = await cells(0);
    assert.match(newest[0], /^Today|^Yesterday/);
    assert.equal(newest[1], "Schedule");
    assert.match(newest[2], /^2 mins? 11 secs?$/);
    assert.deepEqual(newest.slice(3), ["3", "336", "1", "0", "0", "682"]);
    const yesterday = await cells(1);
    assert.match(yesterday[0], /Finished with failures/);
    assert.deepEqual(yesterday.slice(3, 8), ["2", "116", "0", "1", "1"]);
    assert.equal((await cells(2))[1], "Manual");
    await shot(page, "23-history-runs");

    await rows.nth(1).getByRole("button").click();
    await seeText(page, /^Run of /);
    await seeText(page, "Failed: Namely rejected the home address (state 'XX') — will retry next run");
    await seeText(page, "Invalid: no email in iCIMS — add one to the candidate");
    await seeText(page, /Added as Jane Doe \(start \d{1,2} \w{3,4} \d{4}\)/);
    await seeText(page, /Already in Namely \(icims_id \d+\)/);
    await page.getByLabel("Show").selectOption("failed");
    assert.equal(await page.locator(".records tbody tr").count(), 1);
    await shot(page, "24-history-run-details");

    await button(page, "Export CSV").click();
    await seeText(page, /Saved to \/home\/olivia\/Documents\/icims-namely\/Acme-run-\d+\.csv/);

    await button(page, "Retry failed").click();
    await seeText(page, /Retry · Finished/);
    await seeText(page, /Added as .* \(start/);
    assert.equal(await button(page, "Retry failed").isDisabled(), true);
    await button(page, "← All runs").click();
    await until(async () => (await page.locator("tbody tr").count()) === 4, "the retry run in the list");
    await done();
  });
});

describe("reviews", () => {
  // Jane and Omar are new (added by the seeded sync); Priya's email is on Priya D. Doe's profile,
  // Lucas has a namesake with the same start date, Mei shares Jane's email (no profile to link).
  const REVIEWS = {
    connections: [{ name: "Acme", company: "Acme Corp", stage: "done", reviews: true, hires: { total: 6, new: 2, review: 1, maybe: 1, dupe: 1 } }],
  };
  const item = (page, name) => page.locator("li.item", { has: page.locator(".who", { hasText: name }) }).first();

  it("lists the hires that need review with Link and Create anyway, asking before it creates", async () => {
    const { page, done } = await app(REVIEWS);
    await (await visible(button(card(page, "Acme"), "History"))).click();
    await seeText(page, "History — Acme");
    const section = page.locator("section.reviews");
    await visible(section.getByRole("heading", { name: /Needs review\s*3/ }));
    assert.deepEqual(await section.locator("li.item p.who:first-of-type").allTextContents(), [
      "Priya Doe",
      "Priya D. Doe",
      "Lucas Doe",
      "Lucas Doe",
      "Mei Doe",
    ]);
    // Nothing suggested for Mei: Link is off, and the item says why.
    const mei = item(page, "Mei Doe");
    assert.equal(await button(mei, "Link").isDisabled(), true);
    await visible(mei.getByText(/Nothing to link: no Namely profile was suggested for this hire/));
    await visible(mei.getByText(/same email as iCIMS person 9000 in this run/));
    await visible(item(page, "Priya Doe").getByText("Writes icims_id 9002 onto Priya D. Doe's profile."));
    await shot(page, "33-reviews-list");

    // Link writes icims_id onto the suggested profile; the result says so and the list reloads.
    await button(item(page, "Priya Doe"), "Link").click();
    await seeText(page, /Priya Doe:\s*Linked by hand to Priya D\. Doe \(priya\.doe@example\.com\): icims_id 9002 written to that profile/);
    await visible(section.getByRole("heading", { name: /Needs review\s*2/ }));
    assert.equal(await page.locator("li.item", { hasText: "Priya D. Doe" }).count(), 0);
    assert.deepEqual((await fake.calls(page, "link_review")).map((c) => c.args), [{ name: "Acme", personId: 9002, profileId: "np-m-9002" }]);

    // Create anyway asks first; Cancel sends nothing.
    const lucas = item(page, "Lucas Doe");
    await button(lucas, "Create anyway…").click();
    const dialog = page.getByRole("dialog");
    await visible(dialog.getByText("Add Lucas Doe as a new active profile although Lucas Doe may be the same person?"));
    await shot(page, "34-reviews-create-confirm");
    await button(dialog, "Cancel").click();
    await until(async () => !(await dialog.isVisible()), "the dialog to close");
    assert.equal((await fake.calls(page, "create_anyway")).length, 0);

    await button(lucas, "Create anyway…").click();
    await button(dialog, "Create anyway").click();
    await seeText(page, /Lucas Doe:\s*Added as Lucas Doe \(start \d{1,2} \w{3,4} \d{4}\)/);
    await visible(section.getByRole("heading", { name: /Needs review\s*1/ }));
    assert.deepEqual((await fake.calls(page, "create_anyway")).map((c) => c.args), [{ name: "Acme", personId: 9003 }]);

    // Each decision is a run of its own in the history, announced like any other run.
    const finished = (await fake.events(page, "sync-finished")).map((e) => e.payload.run.trigger);
    assert.deepEqual(finished, ["review", "review"]);
    await until(async () => (await page.locator("table.runs tbody tr").count()) === 3, "the two review runs in the list");
    assert.equal((await page.locator("table.runs tbody tr").first().locator("td").nth(1).textContent())?.trim(), "Review");
    await shot(page, "35-reviews-after-decisions");
    await done();
  });
});

describe("warnings and pre-flight", () => {
  it("shows a hired status that matched nothing on the card, in amber", async () => {
    const { page, done } = await app({
      connections: [{ name: "Acme", company: "Acme Corp", stage: "done", history: true, hired: ["Hired", "Hird"], unmatched: ["Hird"] }],
    });
    const acme = card(page, "Acme");
    const warning = await visible(acme.locator("ul.warnings li"));
    assert.match((await warning.textContent()) ?? "", /No iCIMS workflow was in the hired status "Hird" since the start-from date/);
    const colour = await warning.evaluate((el) => getComputedStyle(el).color);
    assert.equal(colour, "rgb(122, 77, 0)");
    await shot(page, "36-dashboard-warning");
    await done();
  });

  it("says why a sync did not start, and sends the owner's fix to Setup", async () => {
    const { page, done } = await app({
      connections: [{ name: "Acme", company: "Acme Corp", stage: "done", preflight: "owner_invalid" }],
    });
    const acme = card(page, "Acme");
    await (await visible(button(acme, "Sync now"))).click();
    await visible(acme.getByText(/✗ The sync did not start: The saved Namely token belongs to Sam Staff/));
    // The owner alert: the owner stop fails, so the card leads back to setup.
    await visible(acme.getByText("Owner ✗", { exact: false }));
    await visible(button(acme, "Continue setup"));
    await shot(page, "37-dashboard-not-started");

    await button(acme, "History").click();
    await visible(page.locator("tbody tr").first().getByText("Did not start"));
    await page.locator("tbody tr").first().getByRole("button").click();
    await seeText(page, "The owner check failed before the sync: nothing was read or sent. Fix the owner in Setup (part 3, Owner).");
    await button(page, "Open Setup").click();
    await seeText(page, "Set up Acme");
    await done();
  });
});

describe("settings", () => {
  it("shows sync settings and secrets, and confirms removing a company", async () => {
    const { page, done } = await app(TWO_COMPANIES);
    await (await visible(button(card(page, "Acme"), "Settings"))).click();
    await seeText(page, "Settings — Acme");
    assert.equal(await page.getByLabel("Daily at").first().isChecked(), true);
    assert.equal(await page.getByLabel("Time of the daily sync").inputValue(), "09:00");
    await seeText(page, /Token saved in the system keychain on \d{1,2} \w{3,4} \d{4}/);
    await seeText(page, /HMAC key saved in the system keychain on \d{1,2} \w{3,4} \d{4}/);

    // Change the schedule, and how many iCIMS reads a sync keeps in flight.
    assert.equal(await page.getByLabel("iCIMS reads at once").inputValue(), "0");
    assert.equal(await page.locator("#settings-reads option:checked").textContent(), "4 (default)");
    await page.getByLabel("Every", { exact: true }).check();
    await page.getByLabel("Hours between syncs").fill("3");
    await page.getByLabel("iCIMS reads at once").selectOption("2");
    await button(page, "Save sync settings").click();
    await seeText(page, "✓ Saved.");
    const saved = await fake.calls(page, "update_sync_settings");
    assert.equal(saved.at(-1).args.input.icims_concurrency, 2);
    // Saving again without touching it sends no change.
    await button(page, "Save sync settings").click();
    await until(async () => (await fake.calls(page, "update_sync_settings")).length === saved.length + 1, "saved again");
    assert.equal((await fake.calls(page, "update_sync_settings")).at(-1).args.input.icims_concurrency, null);
    await shot(page, "25-settings");

    await button(page, "Remove company…").click();
    const dialog = page.getByRole("dialog");
    await visible(dialog);
    await visible(dialog.getByText("Remove Acme?"));
    await visible(dialog.getByText(/Its sync history is kept unless you also remove it/));
    assert.equal(await dialog.getByLabel("Also remove the sync history").isChecked(), false);
    await shot(page, "26-settings-remove-confirm");

    await button(dialog, "Remove company").click();
    await seeText(page, "Companies");
    await until(async () => (await page.locator("article h2").allTextContents()).join() === "Globex", "only Globex left");
    const calls = await fake.calls(page, "remove_connection");
    assert.deepEqual(calls[0].args, { name: "Acme", keepHistory: true });
    await done();
  });

  it("renders the dashboard in dark mode", async () => {
    const { page, done } = await app({ ...TWO_COMPANIES, keychainPersistent: false },
      { colorScheme: "dark" },
    );
    await visible(card(page, "Acme"));
    await seeText(page, /kept only until the app closes/);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, "rgb(20, 23, 27)");
    await shot(page, "27-dashboard-dark");
    await done();
  });
});
