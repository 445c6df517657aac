// Life in the background: paused schedules, start at login, and a notification's click, against
// the fake backend.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { button, fake, seeText, shot, until, useApp, visible } from "./harness.mjs";

const { app } = useApp();

const ACME = {
  connections: [
    {
      name: "Acme",
      company: "Acme Corp",
      stage: "done",
      schedule: { kind: "every_minutes", minutes: 30 },
      history: true,
      hires: { total: 40, new: 3 },
    },
  ],
};

describe("background", () => {
  it("says when schedules are paused, and Resume resumes them", async () => {
    const { page, done } = await app({ ...ACME, schedulesPaused: true });
    await seeText(page, "Scheduled syncs are paused. Sync now still works.");
    await seeText(page, "Schedules are paused.");
    await shot(page, "40-dashboard-paused");
    await button(page, "Resume schedules").click();
    await until(async () => (await page.getByText("Scheduled syncs are paused").count()) === 0, "the banner to go");
    // Each card's next sync is back.
    await until(async () => (await page.getByText("Schedules are paused.").count()) === 0, "the cards to show the next sync");
    await seeText(page, "Every 30 minutes");
    const calls = await fake.calls(page, "set_schedules_paused");
    assert.deepEqual(calls.map((c) => c.args.paused), [false]);

    // The tray pauses them again (the backend changes, then tells the window): the dashboard
    // follows the event.
    await page.evaluate(() => window.__fake.pauseFromTray());
    await seeText(page, "Scheduled syncs are paused.");
    await seeText(page, "Schedules are paused.");
    await done();
  });

  it("turns start at login and the pause on from Settings", async () => {
    const { page, done } = await app(ACME);
    await seeText(page, "Companies");
    await button(page, "Settings").click();
    await seeText(page, "On this computer");
    const login = page.getByLabel("Start icims-namely when I log in (it opens in the tray)");
    assert.equal(await login.isChecked(), false);
    await login.check();
    await until(async () => (await fake.calls(page, "set_start_at_login")).length === 1, "start at login to be asked");
    assert.equal((await fake.calls(page, "set_start_at_login"))[0].args.enabled, true);
    assert.equal(await login.isChecked(), true);
    await page.getByLabel("Pause every schedule").check();
    await seeText(page, "Schedules are paused until you resume them or restart the app.");
    await page.locator("#computer-title").scrollIntoViewIfNeeded();
    await shot(page, "41-settings-this-computer");
    await done();
  });

  it("says why a schedule runs less often than set", async () => {
    const note =
      "Every 5 minutes would use about 28,800 iCIMS calls a day; iCIMS allows 10,000, so syncs run every 15 minutes.";
    const stretched = { connections: [{ ...ACME.connections[0], schedule: { kind: "every_minutes", minutes: 5 }, stretch: note }] };
    const { page, done } = await app(stretched);
    await seeText(page, "Companies");
    await seeText(page, note);
    await visible(page.getByText("Every 5 minutes", { exact: false }).first());
    await shot(page, "43-dashboard-budget-stretch");
    await done();
  });

  it("a clicked notification opens its run", async () => {
    const { page, done } = await app(ACME);
    await seeText(page, "Companies");
    const runs = await page.evaluate(() => window.__TAURI_INTERNALS__.invoke("list_runs", { name: "Acme", limit: 5 }));
    assert.ok(runs.length > 0, "the scenario has a run");
    const id = runs[0].id;
    await page.evaluate((runId) => window.__fake.emit("open-screen", { name: "history", connection: "Acme", runId }), id);
    // The run's own page: its records, and the first hire the fake's run added.
    await seeText(page, "Hires in this run");
    const first = (await page.evaluate((runId) => window.__TAURI_INTERNALS__.invoke("get_run", { runId }), id)).records[0].name;
    await seeText(page, first);
    await shot(page, "42-opened-from-notification");
    // A setup problem opens the wizard.
    await page.evaluate(() => window.__fake.emit("open-screen", { name: "wizard", connection: "Acme" }));
    await until(async () => (await fake.calls(page, "get_connection")).length > 0, "the wizard to load Acme");
    assert.equal((await fake.calls(page, "get_connection")).at(-1).args.name, "Acme");
    await done();
  });
});
