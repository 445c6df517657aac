// Cancel: a running sync stops after the hire in flight, shows as cancelled on its card and
// in the history, and the next sync adds the rest. Against the fake backend.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { advance, button, buttonState, card, fake, seeText, shot, useApp, visible } from "./harness.mjs";

const { app } = useApp();

const ACME = {
  connections: [
    {
      name: "Acme",
      company: "Acme Corp",
      stage: "done",
      schedule: { kind: "daily_at", hour: 9, minute: 0 },
      history: true,
      hires: { total: 340, new: 9 },
    },
    { name: "Globex", permalink: "globex", company: "Globex Corporation", stage: "done" },
  ],
};


describe("cancel", () => {
  it("stops a running sync after the hire in flight; history shows it cancelled; the next sync adds the rest", async () => {
    const { page, done } = await app(ACME);
    const acme = card(page, "Acme");
    // Nothing runs: no Cancel anywhere.
    await visible(button(acme, "Sync now"));
    assert.equal(await button(page, "Cancel").count(), 0);

    await fake.pause(page, "sync");
    await button(acme, "Sync now").click();
    // searching, 120/240/340 read, indexing, planning, then 2 added; the 3rd is in flight.
    await advance(page, "sync", 8);
    await visible(acme.getByText("Adding to Namely… 2 of 9"));
    const cancel = button(acme, "Cancel");
    assert.ok(await cancel.isEnabled());
    assert.equal(await button(card(page, "Globex"), "Cancel").count(), 0, "only the running card offers Cancel");
    await shot(page, "40-cancel-running");

    await cancel.click();
    const stopping = button(acme, "Stopping…");
    await buttonState(stopping, false);
    assert.equal(await button(acme, "Sync in progress").isDisabled(), true);
    assert.deepEqual(
      (await fake.calls(page, "cancel_sync")).map((c) => c.args),
      [{ name: "Acme" }],
    );
    await shot(page, "40-cancel-stopping");

    // The hire in flight is added, then the run stops.
    await fake.resume(page, "sync");
    await visible(acme.getByText("Sync cancelled: 3 added before it stopped. The next sync picks up the rest."));
    await buttonState(button(acme, "Sync now"), true);
    assert.equal(await button(acme, "Stopping…").count(), 0);
    assert.equal(await button(acme, "Cancel").count(), 0);
    await visible(acme.getByText(/Today \d\d:\d\d — cancelled, 3 added$/));
    const finished = (await fake.events(page, "sync-finished")).at(-1);
    assert.equal(finished.payload.run.status, "cancelled");
    assert.equal(finished.payload.run.error_code, "cancelled");
    assert.equal(finished.payload.run.counts.created, 3);
    await shot(page, "40-cancel-card-cancelled");

    // History: the run is listed as Cancelled, and says why and that nothing is lost.
    await button(acme, "History").click();
    await seeText(page, "History — Acme");
    const first = page.locator("tbody tr").first();
    await visible(first.getByText("Cancelled", { exact: true }));
    assert.equal((await first.locator("td.num").first().textContent())?.trim(), "3");
    await shot(page, "40-cancel-history");
    await first.getByRole("button").first().click();
    await seeText(page, "The sync was stopped before it finished. Nothing is lost: the next run picks up where this one stopped.");
    await visible(page.getByText(/Manual · Cancelled/));
    await shot(page, "40-cancel-run-details");

    // The next sync adds the other 6, nobody twice.
    await button(page, "← All companies").click();
    await (await visible(button(card(page, "Acme"), "Sync now"))).click();
    await visible(card(page, "Acme").getByText("✓ Sync finished: 6 added"));
    await done();
  });

  it("goes back to Cancel when the backend says no sync of it runs here", async () => {
    const { page, done } = await app(ACME);
    const acme = card(page, "Acme");
    await visible(button(acme, "Sync now"));
    // A sync the window believes runs (e.g. one the command line started and just ended).
    await page.evaluate(() => {
      window.__fake.emit("sync-progress", {
        connection: "Acme",
        run_id: 99,
        phase: "reading_hires",
        done: 120,
        total: 340,
        counts: { read: 120, created: 0, would_create: 0, already_in_namely: 0, needs_review: 0, invalid: 0, failed: 0, left_out: 0 },
      });
    });
    await fake.pause(page, "cancel_sync");
    await (await visible(button(acme, "Cancel"))).click();
    await buttonState(button(acme, "Stopping…"), false);
    await fake.resume(page, "cancel_sync");
    await buttonState(button(acme, "Cancel"), true);
    await done();
  });
});
