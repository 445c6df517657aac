// Welcome, connecting a company, and every state of the setup wizard, against the fake backend.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CANARY, advance, button, buttonState, fake, seeText, shot, until, useApp, visible } from "./harness.mjs";

const { app } = useApp();

const continueButton = (page) => button(page, "Continue");

describe("welcome and connect", () => {
  it("welcomes a first-time user with the two ways in", async () => {
    const { page, done } = await app();
    await seeText(page, "Send new hires from iCIMS to Namely");
    await seeText(page, /creates their active employee profile in Namely/);
    assert.ok(await button(page, "Connect a company").isEnabled());
    assert.ok(await button(page, "Try the sandbox").isEnabled());

    // Keyboard: the first Tab lands on the main action, with a visible focus ring.
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return { text: el?.textContent, outline: el ? getComputedStyle(el).outlineStyle : "" };
    });
    assert.equal(focused.text, "Connect a company");
    assert.equal(focused.outline, "solid");
    await shot(page, "01-welcome");
    await done();
  });

  it("refuses a hostile permalink next to the field, then resolves a real one", async () => {
    const { page, done } = await app();
    await (await visible(button(page, "Connect a company"))).click();
    const permalink = page.getByLabel("Namely permalink");
    await permalink.fill("acme.namely.com.evil.example/<script>");
    const error = page.locator("#permalink-error");
    await until(async () => (await error.textContent())?.includes("That is not a Namely address"), "the permalink error");
    assert.equal(await permalink.getAttribute("aria-invalid"), "true");
    assert.equal(await button(page, "Create and start setup").isDisabled(), true);
    await shot(page, "02-connect-hostile-permalink");

    await permalink.fill("Acme.namely.com");
    await seeText(page, "https://acme.namely.com");
    assert.equal(await page.getByLabel("Connection name").inputValue(), "acme");
    assert.equal((await error.textContent())?.trim(), "");
    await page.getByLabel("Connection name").fill("Acme");
    await shot(page, "03-connect-resolved");
    await done();
  });

  it("calls the backend once the typing pauses, not per key", async () => {
    // ConnectForm.svelte's DEBOUNCE_MS: the permalink is normalised this long after the last key.
    const DEBOUNCE_MS = 250;
    const { page, done } = await app();
    await (await visible(button(page, "Connect a company"))).click();
    const permalink = page.getByLabel("Namely permalink");
    // Times in the page itself (so a slow test runner does not blur them): every key's input
    // event, and every command the fake backend receives.
    await permalink.evaluate((el) => {
      window.__keys = [];
      el.addEventListener("input", () => window.__keys.push(performance.now()));
      const calls = window.__fake.calls;
      const push = calls.push.bind(calls);
      calls.push = (...xs) => push(...xs.map((x) => ({ ...x, at: performance.now() })));
    });

    // Nine keys, 30 ms apart: well inside the debounce.
    const typed = "acme-corp";
    await permalink.pressSequentially(typed, { delay: 30 });
    await seeText(page, "https://acme-corp.namely.com");
    const keys = await page.evaluate(() => window.__keys);
    const calls = await fake.calls(page, "normalize_permalink");
    assert.equal(keys.length, typed.length, "one input event per key");

    // The keys fall into bursts split by pauses of at least the debounce: normally one burst
    // (a loaded machine may pause between two keys). Each burst gets exactly one call, with
    // the text as it stood, made after the debounce elapsed — and none while typing.
    const bursts = [];
    keys.forEach((t, i) => {
      if (i === 0 || t - keys[i - 1] >= DEBOUNCE_MS) bursts.push({ last: t, text: "" });
      bursts[bursts.length - 1].last = t;
      bursts[bursts.length - 1].text = typed.slice(0, i + 1);
    });
    assert.ok(bursts.length <= 2, `the typing was not quick: ${JSON.stringify(keys)}`);
    assert.deepEqual(
      calls.map((c) => c.args.input),
      bursts.map((b) => b.text),
      `normalize_permalink once per pause in the typing, not per key (${calls.length} calls for ${typed.length} keys)`,
    );
    calls.forEach((c, i) => {
      const waited = c.at - bursts[i].last;
      assert.ok(waited >= DEBOUNCE_MS - 5, `call ${i + 1} came ${waited.toFixed(0)} ms after its last key`);
    });
    await done();
  });
});

describe("wizard", () => {
  it("walks a new company through all five stops, each proven before Continue", async () => {
    const { page, done } = await app({ field: "missing" });
    await (await visible(button(page, "Connect a company"))).click();
    await page.getByLabel("Namely permalink").fill("acme");
    await seeText(page, "https://acme.namely.com");
    await page.getByLabel("Connection name").fill("Acme");
    await button(page, "Create and start setup").click();

    // Part 1 without a token asks for one inline.
    await seeText(page, "Set up Acme");
    await seeText(page, "First, sign in to Namely");
    await seeText(page, "Company › Settings › Profile Fields");
    await seeText(page, /never rename it/i);
    assert.equal(await continueButton(page).isDisabled(), true);
    await seeText(page, "Continue unlocks once this step is verified.");
    // Two ways to sign in, Sign in with Namely first; this company pastes a token.
    assert.equal(await page.getByRole("radio", { name: "Sign in with Namely" }).isChecked(), true);
    await page.getByRole("radio", { name: "Paste a personal access token" }).check();
    const token = page.getByLabel("Personal access token", { exact: true });
    assert.equal(await token.getAttribute("type"), "password");
    await shot(page, "04-part1-needs-token");

    await token.fill("not-a-token");
    await button(page, "Save and sign in").click();
    await until(async () => (await page.locator("#field-namely-token-error").textContent())?.includes("Namely did not accept this token"), "the token error");

    // A good token signs in, then the field check runs by itself: no field yet.
    await token.fill(CANARY["browser-namely-token"]);
    await button(page, "Save and sign in").click();
    await seeText(page, "No field named icims_id yet.");
    await seeText(page, "Create it as above, then Check again.");
    assert.equal(await continueButton(page).isDisabled(), true);
    // What the check found (its code, not its words) decides what the stop puts first.
    await visible(page.locator("ol.instructions.urgent"));
    assert.equal(await page.locator("p.advice.urgent").count(), 0);
    await shot(page, "05-part1-missing");

    // Misspelt: delete and recreate, never rename. While checking, the rest stays usable.
    await fake.set(page, "Acme", { field: "typo" });
    await fake.pause(page, "check_namely_field");
    await button(page, "Check again").click();
    await visible(button(page, "Checking…"));
    assert.equal(await button(page, "Checking…").isDisabled(), true);
    await visible(page.getByRole("button", { name: "Namely field Checking…" }));
    assert.ok(await button(page, "← All companies").isEnabled(), "the rest of the window stays usable");
    await fake.resume(page, "check_namely_field");
    await seeText(page, "Found icmis_id, which looks like a typo.");
    await seeText(page, /Delete it and create icims_id — renaming keeps the old internal name/);
    assert.equal(await continueButton(page).isDisabled(), true);
    await seeText(page, "✗ needs attention");
    await page.getByText("Details").first().click();
    await seeText(page, /closest name: icmis_id/);
    await visible(page.locator("p.advice.urgent"));
    assert.equal(await page.locator("ol.instructions.urgent").count(), 0);
    await shot(page, "06-part1-typo");

    await fake.set(page, "Acme", { field: "number" });
    await button(page, "Check again").click();
    await seeText(page, "Found icims_id but it is a Number field.");
    await seeText(page, "Delete it and create it again as Text.");
    assert.equal(await continueButton(page).isDisabled(), true);
    await shot(page, "07-part1-wrong-type");

    // Hidden from a non-administrator's token: sign in as an Administrator, right here.
    await fake.set(page, "Acme", { field: "hidden" });
    await button(page, "Check again").click();
    await seeText(page, "No field named icims_id is visible to Sam Staff (Employee).");
    await seeText(page, "Sign in as an Administrator");
    await visible(page.locator("#field-admin-token"));
    assert.equal(await page.locator(".urgent").count(), 0);
    await shot(page, "07b-part1-hidden");

    await fake.set(page, "Acme", { field: "found" });
    await button(page, "Check again").click();
    await seeText(page, "Found the field icims_id (Text).");
    assert.equal(await page.getByText("Sign in as an Administrator").count(), 0);
    assert.equal(await page.locator(".urgent").count(), 0);
    await buttonState(continueButton(page), true);
    await seeText(page, /✓ verified at \d\d:\d\d/);
    await shot(page, "08-part1-found");

    // Part 2: already signed in by part 1; a bad replacement is refused next to the field.
    await continueButton(page).click();
    await seeText(page, "Signed in to Acme Corp as Olivia Owner (Administrator)");
    await seeText(page, /Token saved in the system keychain on \d{1,2} \w{3,4} \d{4}/);
    assert.equal(await page.getByText(CANARY["browser-namely-token"]).count(), 0, "the token is never shown");
    await button(page, "Replace").click();
    await page.getByLabel("Personal access token", { exact: true }).fill("expired-token");
    await button(page, "Save and sign in").click();
    await until(async () => (await page.locator("#namely-token-error").textContent())?.includes("Namely did not accept this token."), "the token error");
    await buttonState(continueButton(page), false);
    await shot(page, "09-part2-bad-token");

    await page.getByLabel("Personal access token", { exact: true }).fill(CANARY["browser-namely-token"]);
    await button(page, "Save and sign in").click();
    await seeText(page, "Signed in to Acme Corp as Olivia Owner (Administrator)");
    await visible(button(page, "Remove"));
    await buttonState(continueButton(page), true);
    await shot(page, "10-part2-signed-in");

    // Part 3: choose an owner who qualifies.
    await continueButton(page).click();
    await seeText(page, "✓ can own");
    await seeText(page, "✗ not an Administrator");
    await seeText(page, "✗ inactive in Namely");
    assert.equal(await page.getByLabel("Sam Staff").isDisabled(), true);
    assert.equal(await continueButton(page).isDisabled(), true);
    await page.getByLabel("Olivia Owner").check();
    await button(page, "Make Olivia Owner the owner").click();
    await seeText(page, "Olivia Owner owns the integration: an active Administrator.");
    await visible(page.locator("tr", { hasText: "Olivia Owner" }).getByText("Token saved"));
    await buttonState(continueButton(page), true);
    await shot(page, "11-part3-owner");

    // Part 4: a wrong key is reported next to the HMAC key; Save waits for a passing test.
    await continueButton(page).click();
    await page.getByLabel("Customer ID").fill("4711");
    await page.getByLabel("Username").fill("api_acme");
    await page.getByLabel("HMAC Key", { exact: true }).fill("wrong-key");
    await button(page, "Test connection").click();
    const keyError = page.locator("#icims-hmac-key-error");
    await until(async () => (await keyError.textContent())?.includes("iCIMS did not accept this username and HMAC key."), "the key error");
    assert.equal(await page.getByLabel("HMAC Key", { exact: true }).getAttribute("aria-invalid"), "true");
    assert.equal(await button(page, "Save").isDisabled(), true);
    assert.equal(await continueButton(page).isDisabled(), true);
    await shot(page, "14-part4-test-failed");

    await page.getByLabel("HMAC Key", { exact: true }).fill(CANARY["browser-icims-hmac-key"]);
    await button(page, "Test connection").click();
    await seeText(page, "Connected to iCIMS customer 4711 as api_acme.");
    await buttonState(button(page, "Save"), true);
    assert.equal(await continueButton(page).isDisabled(), true, "a test alone does not pass the stop");
    await shot(page, "15-part4-test-passed");

    await button(page, "Save").click();
    await seeText(page, /HMAC key saved in the system keychain on \d{1,2} \w{3,4} \d{4}/);
    await buttonState(continueButton(page), true);
    assert.equal(await page.getByText(CANARY["browser-icims-hmac-key"]).count(), 0, "the key is never shown");
    await shot(page, "16-part4-saved");
    await shot(page, "16b-part4-saved-window", { window: true });

    // Stop 5: the start-from date, settings, dry run, then the first sync with live progress.
    await continueButton(page).click();
    await seeText(page, "Bring in hires starting from");
    assert.equal(await page.getByLabel(/^30 days ago \(recommended\)/).isChecked(), true);
    await seeText(page, "What counts as hired");
    await visible(page.getByRole("listitem").filter({ hasText: "Hired" }));
    assert.equal(await continueButton(page).count(), 0, "the last stop has its own main action");
    await page.getByLabel("Daily at").check();
    await page.getByLabel("Time of the daily sync").fill("07:00");
    await button(page, "Save and preview").click();
    await visible(page.locator(".tiles"));
    const tiles = (await page.locator(".tiles li").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
    assert.deepEqual(tiles.slice(0, 4), ["9 to create", "2 already in Namely", "1 need review", "1 invalid"]);
    assert.match(tiles[4], /^0 left out \(started before \d{1,2} \w{3,4} \d{4}\)$/);
    await seeText(page, /Will be added as Jane Doe \(start \d{1,2} \w{3,4} \d{4}\)/);
    await seeText(page, /Needs review: .* already belongs to .*, who has no icims_id/);
    await seeText(page, "Invalid: no email in iCIMS — add one to the candidate");
    assert.equal(await page.locator(".records tbody tr").count(), 13);
    const create = button(page, "Create 9 profiles in Namely");
    assert.ok(await create.isEnabled());
    await shot(page, "17-stop5-preview");

    await fake.pause(page, "sync");
    await create.click();
    // searching, reading 13 of 13, indexing, planning, then three additions.
    await advance(page, "sync", 7);
    await seeText(page, "Adding to Namely… 3 of 9");
    assert.equal(await button(page, "Sync in progress").isDisabled(), true);
    await shot(page, "18-stop5-sync-progress");

    await fake.resume(page, "sync");
    await seeText(page, "First sync finished");
    await seeText(page, "9 added, 1 needs review, 1 invalid, 2 already in Namely.");
    await visible(button(page, "Go to the dashboard"));
    await shot(page, "19-stop5-sync-done");

    await button(page, "Go to the dashboard").click();
    await seeText(page, "Companies");
    await seeText(page, /Today \d\d:\d\d — 9 added, 1 needs review, 1 invalid/);
    await done();
  });

  it("resumes at the owner stop and says so when nobody qualifies", async () => {
    const { page, done } = await app({
      connections: [{ name: "Initech", permalink: "initech", company: "Initech", stage: "owner", owners: "none" }],
    });
    await (await visible(button(page, "Continue setup"))).click();
    await seeText(page, "An active Administrator must sign in once. Send them this app, or ask them to sign in here.");
    assert.equal(await page.getByRole("button", { name: /the owner$/ }).count(), 0);
    assert.equal(await continueButton(page).isDisabled(), true);
    // Stops 1 and 2 show their earlier verification.
    assert.equal(await page.getByText(/✓ verified at/).count(), 2);
    await shot(page, "12-part3-nobody");
    await button(page, "Sign in as someone else").click();
    await seeText(page, "Token saved in the system keychain on", 5000);
    await done();
  });

  it("lets the person confirm an owner whose role Namely does not report, and records who and when (keyboard only)", async () => {
    const { page, done } = await app({
      connections: [{ name: "Hooli", permalink: "hooli", company: "Hooli", stage: "owner", owners: "unknown" }],
    });
    await (await visible(button(page, "Continue setup"))).click();
    const rileyRow = page.locator("tr", { hasText: "Riley Roe" }).first();
    await visible(rileyRow.getByText("? Namely does not show access roles"));
    await visible(rileyRow.getByText("Not reported"));
    // Whose token is saved: the person who signed in here.
    await visible(rileyRow.getByText("Token saved"));

    // Choosing Riley alone is not enough: the role must be confirmed first, and the stop says so.
    const riley = page.getByLabel("Riley Roe", { exact: true });
    await riley.focus();
    await page.keyboard.press("Space");
    assert.equal(await riley.isChecked(), true);
    await seeText(page, /Namely does not say whether Riley Roe is an Administrator: tick “Riley Roe is an Administrator in Namely”/);
    assert.equal(await button(page, "Make Riley Roe the owner").isDisabled(), true);
    assert.equal(await continueButton(page).isDisabled(), true);
    await shot(page, "13-part3-role-unknown");

    // Tab reaches the confirmation, Space ticks it, Tab reaches the main action.
    await page.keyboard.press("Tab");
    const confirm = page.getByLabel("Riley Roe is an Administrator in Namely");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "confirm-p-riley");
    await page.keyboard.press("Space");
    assert.equal(await confirm.isChecked(), true);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Make Riley Roe the owner");
    await page.keyboard.press("Enter");

    await seeText(page, /Riley Roe owns the integration: active in Namely; Administrator confirmed by Riley Roe \(signed in to Namely; computer user olivia\) on \d{4}-\d{2}-\d{2}/);
    await visible(rileyRow.getByText("✓ can own"));
    await visible(rileyRow.getByText(/^Administrator confirmed by Riley Roe \(signed in to Namely; computer user olivia\) on \d{1,2} \w{3,4} \d{4}$/));
    await visible(rileyRow.getByText("Current owner"));
    assert.equal(await page.getByLabel("Riley Roe is an Administrator in Namely").count(), 0, "a recorded confirmation is not asked again");
    await buttonState(continueButton(page), true);
    const calls = await fake.calls(page, "choose_owner");
    assert.deepEqual(calls.map((c) => c.args), [{ name: "Hooli", profileId: "p-riley", confirmAdministrator: true }]);
    await shot(page, "13b-part3-role-confirmed");
    await done();
  });

  it("lets only the person themselves confirm their role: someone else is asked to sign in as them", async () => {
    const { page, done } = await app({
      connections: [{ name: "Hooli", permalink: "hooli", company: "Hooli", stage: "owner", owners: "unknown", tokenOwner: "sam" }],
    });
    await (await visible(button(page, "Continue setup"))).click();
    const rileyRows = page.locator("tr", { hasText: "Riley Roe" });
    await visible(rileyRows.getByText(/Riley Roe confirms it here, signed in as themselves/));
    assert.equal(await page.getByLabel("Riley Roe is an Administrator in Namely").count(), 0);
    await page.getByLabel("Riley Roe", { exact: true }).check();
    assert.equal(await button(page, "Make Riley Roe the owner").isDisabled(), true);
    await shot(page, "13d-part3-role-unknown-sign-in-first");

    await button(page, "Sign in as Riley Roe").click();
    await button(page, "Replace").click();
    await page.getByLabel("Personal access token", { exact: true }).fill("riley-token");
    await button(page, "Save and sign in").click();
    await seeText(page, "Signed in to Hooli as Riley Roe (access role not reported by Namely)");
    await continueButton(page).click();
    await page.getByLabel("Riley Roe is an Administrator in Namely").check();
    assert.equal(await page.getByLabel("Riley Roe", { exact: true }).isChecked(), true, "ticking the confirmation chooses the person");
    await button(page, "Make Riley Roe the owner").click();
    await seeText(page, /Riley Roe owns the integration: active in Namely; Administrator confirmed by Riley Roe/);
    await buttonState(continueButton(page), true);
    await done();
  });

  it("says when the saved token belongs to someone other than the owner, and how to fix it", async () => {
    const { page, done } = await app({
      connections: [{ name: "Initech", permalink: "initech", company: "Initech", stage: "owner", tokenOwner: "sam" }],
    });
    await (await visible(button(page, "Continue setup"))).click();
    await visible(page.locator("tr", { hasText: "Sam Staff" }).getByText("Token saved"));
    await page.getByLabel("Olivia Owner", { exact: true }).check();
    await button(page, "Make Olivia Owner the owner").click();
    await seeText(page, "The saved Namely token belongs to Sam Staff, not to the owner Olivia Owner.");
    await seeText(page, "Sign in as Olivia Owner (paste a token Olivia Owner created), or choose Sam Staff as the owner if they are an active Administrator.");
    assert.equal(await continueButton(page).isDisabled(), true);
    await shot(page, "13c-part3-token-not-owner");

    // The fix is one click away: sign in as the owner, then the owner stop passes.
    await button(page, "Sign in as Olivia Owner").click();
    await seeText(page, "Token saved in the system keychain on");
    await button(page, "Replace").click();
    await page.getByLabel("Personal access token", { exact: true }).fill("olivia-token");
    await button(page, "Save and sign in").click();
    await seeText(page, "Signed in to Initech as Olivia Owner (Administrator)");
    await continueButton(page).click();
    await seeText(page, "Olivia Owner owns the integration: an active Administrator.");
    await visible(page.locator("tr", { hasText: "Olivia Owner" }).getByText("Token saved"));
    await buttonState(continueButton(page), true);
    await done();
  });

  it("asks for the start-from date before the dry run, saves it, and counts each choice after a preview", async () => {
    const { page, done } = await app({
      // 4 future hires, 6 who started 3, 40, 77, 114, 151 and 188 days ago, 2 already in Namely.
      connections: [{ name: "Acme", company: "Acme Corp", stage: "review", hires: { total: 14, new: 4, past: 6, review: 1, invalid: 1 } }],
    });
    await (await visible(button(page, "Continue setup"))).click();
    await seeText(page, "Bring in hires starting from");
    await seeText(page, "People who started before this date are never added — a first sync must not import years of hiring history.");
    const radios = page.locator('input[name="start-from-mode"]');
    await visible(radios);
    const labels = async () =>
      page.locator(".start-from li.option").evaluateAll((items) => items.map((li) => (li.textContent ?? "").replace(/\s+/g, " ").trim()));
    const before = await labels();
    assert.equal(before.length, 5);
    assert.match(before[0], /^Today: only people who start from now on — \d{1,2} \w{3,4} \d{4} run the preview to count$/);
    assert.match(before[1], /^30 days ago \(recommended\) — .* run the preview to count$/);
    assert.match(before[2], /^90 days ago — /);
    assert.match(before[3], /^A year ago — /);
    assert.match(before[4], /^Another date/);
    assert.equal(await page.getByLabel(/^30 days ago \(recommended\)/).isChecked(), true);
    await shot(page, "29-stop5-start-from");

    // Choose 90 days ago: the choice is saved with the settings, then the dry run counts.
    const ninety = page.getByLabel(/^90 days ago/);
    await ninety.check();
    const ninetyDate = await ninety.inputValue();
    await button(page, "Save and preview").click();
    await visible(page.locator(".tiles"));
    const saved = await fake.calls(page, "update_sync_settings");
    assert.equal(saved.at(-1).args.input.start_from, ninetyDate);
    const tiles = (await page.locator(".tiles li").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
    assert.equal(tiles[0], "7 to create");
    assert.match(tiles[4], /^3 left out \(started before \d{1,2} \w{3,4} \d{4}\)$/);
    await seeText(page, /^Left out: started \d{1,2} \w{3,4} \d{4}, before the start-from date/);
    await seeText(page, /^Left out$/);
    await until(async () => !(await labels()).some((l) => l.endsWith("run the preview to count")), "the counts of the choices");
    const after = await labels();
    assert.match(after[0], / 4 hires$/);
    assert.match(after[1], / 5 hires$/);
    assert.match(after[2], / 7 hires$/);
    assert.match(after[3], / at least 10 hires$/);
    assert.equal(await ninety.isChecked(), true);
    assert.ok(await button(page, "Create 7 profiles in Namely").isEnabled());
    await shot(page, "30-stop5-start-from-counted");

    // Another date, mistyped: an inline error, nothing sent, nothing lost.
    const sends = saved.length;
    await page.getByLabel("Another date", { exact: true }).check();
    const date = page.getByLabel("Start-from date (another date)");
    await date.fill("2026-02-30");
    await button(page, "Preview again").click();
    await until(async () => (await page.locator("#start-from-error").textContent())?.includes("Type a whole date, for example 2026-11-01."), "the date error");
    assert.equal(await date.getAttribute("aria-invalid"), "true");
    assert.equal((await fake.calls(page, "update_sync_settings")).length, sends, "nothing is saved");
    assert.equal(await date.inputValue(), "2026-02-30", "what was typed stays");
    await visible(page.getByRole("listitem").filter({ hasText: "Hired" }));
    await seeText(page, "The settings changed since this dry run. Preview again before creating profiles.");
    assert.equal(await button(page, "Create 7 profiles in Namely").isDisabled(), true);
    await shot(page, "31-stop5-start-from-invalid");

    // Typed right, it is saved and offered as "the date saved now", with its count.
    const yearDate = await page.getByLabel(/^A year ago/).inputValue();
    const early = `${Number(yearDate.slice(0, 4)) - 1}${yearDate.slice(4)}`;
    await date.fill(early);
    await until(async () => ((await page.locator("#start-from-error").textContent()) ?? "").trim() === "", "the error to clear");
    await button(page, "Preview again").click();
    await seeText(page, "Create 10 profiles in Namely");
    assert.equal((await fake.calls(page, "update_sync_settings")).at(-1).args.input.start_from, early);
    // The choices are counted again from the new dry run: the saved date is now one of them.
    await until(async () => (await labels()).length === 6, "the saved date among the choices");
    const last = await labels();
    assert.match(last[4], /^The date saved now — .* 10 hires$/);
    assert.match(last[5], /^Another date/);
    assert.equal(await page.getByLabel(/^The date saved now/).isChecked(), true);
    await done();
  });

  it("says why a dry run did not start and leads to the stop that fixes it", async () => {
    const { page, done } = await app({
      connections: [{ name: "Acme", company: "Acme Corp", stage: "review", preflight: "owner_invalid" }],
    });
    await (await visible(button(page, "Continue setup"))).click();
    await (await visible(button(page, "Save and preview"))).click();
    await seeText(page, "The dry run did not start");
    await seeText(page, /The sync did not start: The saved Namely token belongs to Sam Staff, not to the integration owner/);
    assert.equal(await page.locator(".tiles").count(), 0);
    assert.equal(await page.getByRole("button", { name: /^Create / }).count(), 0);
    await shot(page, "32-stop5-not-started");
    await button(page, "Go to the Owner stop").click();
    await visible(page.getByRole("heading", { name: /Owner/ }));
    await done();
  });

  it("opens the sandbox with demo values filled in and the banner", async () => {
    const { page, done } = await app();
    await (await visible(button(page, "Try the sandbox"))).click();
    await seeText(page, "Set up Sandbox");
    await seeText(page, "Sandbox — simulated iCIMS and Namely; nothing leaves this computer");
    // Sign in with Namely comes first, with the demo application filled in (the secret masked).
    assert.equal(await page.getByLabel("Client ID").inputValue(), "sandbox-oauth-client");
    const secret = page.getByLabel("Client secret", { exact: true });
    assert.equal(await secret.inputValue(), CANARY["namely-demo-oauth-client-secret"]);
    assert.equal(await secret.getAttribute("type"), "password");
    await seeText(page, "In the sandbox, the demo application is registered already");
    // The demo token is filled in too.
    await page.getByRole("radio", { name: "Paste a personal access token" }).check();
    const token = page.getByLabel("Personal access token", { exact: true });
    assert.equal(await token.inputValue(), CANARY["namely-demo-token-owner"]);
    assert.equal(await token.getAttribute("type"), "password");
    await page.getByRole("button", { name: "Show Personal access token" }).click();
    assert.equal(await token.getAttribute("type"), "text");
    await page.getByRole("button", { name: "Hide Personal access token" }).click();
    await button(page, "Save and sign in").click();
    await seeText(page, "Found the field icims_id (Text).");
    await buttonState(continueButton(page), true);
    await shot(page, "20-sandbox-wizard");
    await done();
  });

  it("shows an iCIMS error next to its field in dark mode", async () => {
    const { page, done } = await app({ connections: [{ name: "Acme", company: "Acme Corp", stage: "icims", icimsRegion: "eu" }] },
      { colorScheme: "dark" },
    );
    await (await visible(button(page, "Continue setup"))).click();
    await page.getByLabel("Customer ID").fill("47a1");
    await seeText(page, "The Customer ID is digits only, for example 1234.");
    await page.getByLabel("Customer ID").fill("4711");
    await page.getByLabel("Username").fill("api_acme");
    await page.getByLabel("HMAC Key", { exact: true }).fill(CANARY["browser-icims-hmac-key"]);
    await button(page, "Test connection").click();
    await until(
      async () => (await page.locator("#icims-region-error").textContent())?.includes("This looks like an EU customer — try the EU region."),
      "the region error",
    );
    await shot(page, "28-part4-region-dark");
    await done();
  });
});
