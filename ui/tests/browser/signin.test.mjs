// Part 2, Sign in to Namely: the two ways, Sign in with Namely from the registration steps to
// "Signed in to …", its waiting state with Cancel, its errors next to the right field, and a
// connection already signed in with Namely. Against the fake backend; Namely's answer (Accept,
// Deny, nothing) is given by the test through __fake.answerSignIn.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CANARY, button, buttonState, card, fake, seeText, shot, until, useApp, visible } from "./harness.mjs";

const { app } = useApp();

const continueButton = (page) => button(page, "Continue");
const REDIRECT_URI = "http://127.0.0.1:47600/namely/callback";
const CLIENT_ID = "icims-namely-acme";
const SECRET = CANARY["browser-namely-client-secret"];

/** Whether `secret` is anywhere a page keeps text: storage, cookies, the DOM and its attributes, the text on screen. */
function secretInWindow(page, secret) {
  return page.evaluate((s) => {
    const attributes = [...document.querySelectorAll("*")].flatMap((e) => [...e.attributes].map((a) => `${a.name}=${a.value}`));
    const storage = [localStorage, sessionStorage].flatMap((st) => Object.keys(st).map((k) => `${k}=${st.getItem(k)}`));
    return [...attributes, ...storage, document.cookie, document.documentElement.outerHTML, document.body.innerText].some((t) =>
      t.includes(s),
    );
  }, secret);
}

/** Waits until the fake holds a sign-in waiting for Namely's answer, then answers it. */
async function answer(page, name, what) {
  await until(() => fake.signInWaiting(page, name), "the sign-in to wait for Namely's answer");
  await fake.answerSignIn(page, name, what);
}

/** Opens part 2 of `name` from the dashboard. */
async function openPart2(page) {
  await (await visible(button(page, "Continue setup"))).click();
  await seeText(page, "How the app signs in to Namely");
}

describe("sign in to Namely", () => {
  it("offers both ways with when to choose each, and signs in with Namely after Accept", async () => {
    const { page, done } = await app({ connections: [{ name: "Acme", company: "Acme Corp", stage: "sign_in" }] });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await openPart2(page);
    // Both ways, side by side, each saying when to choose it; the saved token is shown first.
    const oauth = page.getByRole("radio", { name: "Sign in with Namely" });
    const token = page.getByRole("radio", { name: "Paste a personal access token" });
    assert.equal(await token.isChecked(), true);
    await seeText(page, /Recommended when your company's policy forbids long-lived tokens\. You sign in as yourself/);
    await seeText(page, /as long as the sign-in is not revoked in Namely/);
    await seeText(page, /For an Integrations user who is an active Administrator; suits a shared machine or a server\. The token lasts 2 years/);
    assert.match((await oauth.getAttribute("aria-describedby")) ?? "", /oauth-when/);
    await shot(page, "50-signin-ways");

    // Sign in with Namely: how to register the application, with the exact redirect URI to copy.
    await oauth.check();
    await seeText(page, "Signing in with Namely replaces the saved personal access token.");
    await seeText(page, "How to register the application in Namely");
    await seeText(page, "In Namely, open API › Register an application (older Namely: API › API Clients).");
    await seeText(page, "Name: icims-namely.");
    const redirect = page.getByLabel("Redirect URI", { exact: true });
    assert.equal(await redirect.inputValue(), REDIRECT_URI);
    assert.equal(await redirect.getAttribute("readonly"), "");
    await page.getByRole("button", { name: "Copy the redirect URI" }).click();
    await seeText(page, "Copied");
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), REDIRECT_URI);
    const secret = page.getByLabel("Client secret", { exact: true });
    assert.equal(await secret.getAttribute("type"), "password");
    await page.getByRole("button", { name: "Show Client secret" }).click();
    assert.equal(await secret.getAttribute("type"), "text");
    await page.getByRole("button", { name: "Hide Client secret" }).click();
    assert.equal(await secret.getAttribute("type"), "password");
    await shot(page, "51-signin-register");

    // Nothing typed: said next to each field, nothing sent.
    await button(page, "Sign in with Namely").click();
    await seeText(page, "Paste the client ID of the application registered in Namely.");
    await seeText(page, "Paste the client secret of the application registered in Namely.");
    assert.equal((await fake.calls(page, "begin_namely_sign_in")).length, 0);

    // Waiting for Accept: what to do, Cancel, the page to open again and the link to copy.
    await page.getByLabel("Client ID").fill(CLIENT_ID);
    await secret.fill(SECRET);
    await button(page, "Sign in with Namely").click();
    await seeText(page, "Waiting for you to click Accept in the browser…");
    await visible(button(page, "Cancel"));
    await visible(button(page, "Open the sign-in page again"));
    const link = page.getByLabel("Sign-in link", { exact: true });
    assert.match(await link.inputValue(), /^https:\/\/acme\.namely\.com\/api\/v1\/oauth2\/authorize\?response_type=code&client_id=icims-namely-acme&/);
    assert.equal(await secret.isDisabled(), true, "the form is locked while waiting");
    assert.equal(await continueButton(page).isDisabled(), true, "part 2 is not verified while waiting");
    const begun = await fake.calls(page, "begin_namely_sign_in");
    assert.deepEqual(begun.map((c) => c.args), [{ name: "Acme", clientId: CLIENT_ID, clientSecret: SECRET, port: null }]);
    assert.equal(await secretInWindow(page, SECRET), false, "the secret is in no attribute, storage or text while waiting");
    await button(page, "Open the sign-in page again").click();
    await until(async () => (await fake.calls(page, "reopen_namely_sign_in")).length === 1, "the page to open again");
    await page.getByRole("button", { name: "Copy the sign-in link" }).click();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /oauth2\/authorize\?/);
    await shot(page, "52-signin-waiting");

    // Cancel: said calmly, and the form is back as it was.
    await button(page, "Cancel").click();
    await seeText(page, "The sign-in was cancelled; nothing was saved.");
    await visible(button(page, "Sign in with Namely"));
    assert.equal(await secret.inputValue(), SECRET, "the typed secret stays for the next try");

    // Deny: what happened and what to do.
    await button(page, "Sign in with Namely").click();
    await answer(page, "Acme", "deny");
    await seeText(
      page,
      "Namely says the sign-in was denied (Deny was clicked), so nothing was saved. Sign in again and click Accept, or paste a personal access token instead.",
    );
    await shot(page, "53-signin-denied");

    // No answer within the 5 minutes: how to fix the redirect URI.
    await button(page, "Sign in with Namely").click();
    await answer(page, "Acme", "timeout");
    await seeText(page, `register exactly ${REDIRECT_URI} with the application in Namely (Namely › API).`);

    // Accepted, with a wrong client secret: Namely refuses the code's exchange.
    await secret.fill("wrong-client-secret");
    await button(page, "Sign in with Namely").click();
    await answer(page, "Acme", "accept");
    await seeText(page, "Namely did not accept the client ID and client secret (invalid_client). Copy both again");
    // Under the field to fix.
    await until(
      async () => (await page.locator("#namely-client-secret-error").textContent())?.includes("invalid_client"),
      "the wrong secret's error under Client secret",
    );

    // Accepted with the right one: signed in, the secret gone from the window.
    await secret.fill(SECRET);
    await button(page, "Sign in with Namely").click();
    await answer(page, "Acme", "accept");
    await seeText(page, "Signed in to Acme Corp as Olivia Owner (Administrator)");
    await seeText(page, "Signed in with Namely, through the application with client ID icims-namely-acme.");
    await seeText(page, /Sign-in with Namely saved in the system keychain on \d{1,2} \w{3,4} \d{4}/);
    await visible(button(page, "Sign in again"));
    await visible(button(page, "Use a personal access token instead"));
    await buttonState(continueButton(page), true);
    assert.equal(await page.getByLabel("Client secret", { exact: true }).count(), 0);
    assert.equal(await secretInWindow(page, SECRET), false, "the secret is in no attribute, storage or text after signing in");
    await shot(page, "54-signin-signed-in");
    await done();
  });

  it("shows the backend's refusals next to the field they concern", async () => {
    const { page, done } = await app({ connections: [{ name: "Acme", company: "Acme Corp", stage: "sign_in" }] });
    await openPart2(page);
    await page.getByRole("radio", { name: "Sign in with Namely" }).check();
    await page.getByLabel("Client ID").fill("icims namely");
    await page.getByLabel("Client secret", { exact: true }).fill(SECRET);
    await button(page, "Sign in with Namely").click();
    await until(
      async () => (await page.locator("#namely-client-id-error").textContent())?.includes("one word, without spaces"),
      "the client ID error",
    );
    assert.equal(await page.getByLabel("Client ID").getAttribute("aria-invalid"), "true");

    await page.getByLabel("Client ID").fill(CLIENT_ID);
    await page.getByLabel("Client secret", { exact: true }).fill("two words");
    await button(page, "Sign in with Namely").click();
    await until(
      async () => (await page.locator("#namely-client-secret-error").textContent())?.includes("it is one word"),
      "the client secret error",
    );

    // The redirect URI's port is taken by another program.
    await fake.set(page, "Acme", { portBusy: true });
    await page.getByLabel("Client secret", { exact: true }).fill(SECRET);
    await button(page, "Sign in with Namely").click();
    await until(
      async () => (await page.locator("#namely-client-id-error").textContent())?.includes("cannot listen on 127.0.0.1 port 47600"),
      "the port error",
    );
    assert.equal(await page.locator("#namely-client-secret-error").textContent(), "");
    await shot(page, "55-signin-port-in-use");

    // Another port: the redirect URI to register follows it, and the sign-in listens there.
    await fake.set(page, "Acme", { portBusy: false });
    const port = page.getByLabel("Port of the redirect URI");
    await port.fill("80");
    await button(page, "Sign in with Namely").click();
    await seeText(page, "The port is a number from 1024 to 65535.");
    await port.fill("47612");
    assert.equal(await page.getByLabel("Redirect URI", { exact: true }).inputValue(), "http://127.0.0.1:47612/namely/callback");
    const before = (await fake.calls(page, "begin_namely_sign_in")).length;
    await button(page, "Sign in with Namely").click();
    await seeText(page, "Waiting for you to click Accept in the browser…");
    const begun = await fake.calls(page, "begin_namely_sign_in");
    assert.equal(begun.length, before + 1);
    assert.equal(begun.at(-1)?.args.port, 47612);
    // Leaving the stop while waiting stops the sign-in.
    await button(page, "Back").click();
    await seeText(page, "Found the field icims_id (Text).");
    await until(async () => (await fake.calls(page, "cancel_namely_sign_in")).length === 1, "the sign-in to be cancelled");
    await until(async () => !(await fake.signInWaiting(page, "Acme")), "nothing to wait for Namely's answer");
    await done();
  });

  it("says when the connection is signed in with Namely, and offers to sign in again or switch to a token", async () => {
    const { page, done } = await app({
      connections: [{ name: "Initech", company: "Initech", stage: "owner", oauth: CLIENT_ID }],
    });
    await (await visible(button(page, "Continue setup"))).click();
    await button(page, "Back").click();
    await seeText(page, "Signed in with Namely, through the application with client ID icims-namely-acme.");
    assert.equal(await page.getByRole("radio", { name: "Sign in with Namely" }).isChecked(), true);
    await shot(page, "56-signin-already");

    // Sign in again: the saved client ID is filled in, the secret asked again.
    await button(page, "Sign in again").click();
    assert.equal(await page.getByLabel("Client ID").inputValue(), CLIENT_ID);
    assert.equal(await page.getByLabel("Client secret", { exact: true }).inputValue(), "");
    await button(page, "Cancel").click();
    await seeText(page, "Signed in with Namely, through the application with client ID icims-namely-acme.");

    // Or a token instead, which replaces the sign-in.
    await button(page, "Use a personal access token instead").click();
    await seeText(page, "Saving a token replaces the sign-in with Namely.");
    await page.getByLabel("Personal access token", { exact: true }).fill(CANARY["browser-namely-token"]);
    await button(page, "Save and sign in").click();
    await seeText(page, "Signed in to Initech as Olivia Owner (Administrator)");
    await seeText(page, /Token saved in the system keychain on/);
    assert.equal(await page.getByText("Saving a token replaces the sign-in with Namely.").count(), 0);
    await page.getByRole("radio", { name: "Sign in with Namely" }).check();
    await seeText(page, "Signing in with Namely replaces the saved personal access token.");
    await done();
  });

  it("shows a company signed in with Namely as such on its card and in Settings, where it signs in again", async () => {
    const { page, done } = await app({ connections: [{ name: "Acme", company: "Acme Corp", stage: "done", oauth: CLIENT_ID }] });
    const acme = card(page, "Acme");
    await visible(acme.getByText("Namely sign-in"));
    assert.match((await acme.locator(".chips li").allTextContents()).join("|").replace(/\s+/g, " "), /Namely sign-in ✓: OK/);
    await (await visible(button(acme, "Settings"))).click();
    await seeText(page, "Settings — Acme");
    await visible(page.getByRole("heading", { name: "Namely sign-in" }));
    await seeText(page, "Signed in with Namely, through the application with client ID icims-namely-acme.");
    assert.equal(await page.getByRole("radio", { name: "Sign in with Namely" }).isChecked(), true);
    assert.equal(await page.getByText("No token saved.").count(), 0);
    await shot(page, "59-settings-signed-in-with-namely");

    await button(page, "Sign in again").click();
    assert.equal(await page.getByLabel("Client ID").inputValue(), CLIENT_ID);
    await page.getByLabel("Client secret", { exact: true }).fill(SECRET);
    await button(page, "Sign in with Namely").click();
    await answer(page, "Acme", "accept");
    await seeText(page, "Signed in with Namely, through the application with client ID icims-namely-acme.");
    await visible(button(page, "Sign in again"));
    assert.equal(await secretInWindow(page, SECRET), false);
    await done();
  });

  it("signs in to the sandbox with its demo application from part 1, then checks the field", async () => {
    const { page, done } = await app({}, { colorScheme: "dark" });
    await (await visible(button(page, "Try the sandbox"))).click();
    await seeText(page, "First, sign in to Namely");
    assert.equal(await page.getByRole("radio", { name: "Sign in with Namely" }).isChecked(), true);
    assert.equal(await page.getByLabel("Client ID").inputValue(), "sandbox-oauth-client");
    await button(page, "Sign in with Namely").click();
    await seeText(page, "Waiting for you to click Accept in the Namely (sandbox) window…");
    await seeText(page, "The sandbox's Namely opened its sign-in page in a window of this app. Click Accept there.");
    await shot(page, "57-signin-sandbox-waiting-dark");
    const begun = await fake.calls(page, "begin_namely_sign_in");
    assert.equal(begun.at(-1)?.args.clientSecret, CANARY["namely-demo-oauth-client-secret"]);
    await answer(page, "Sandbox", "accept");
    await seeText(page, "Found the field icims_id (Text).");
    await buttonState(continueButton(page), true);
    assert.equal(await secretInWindow(page, CANARY["namely-demo-oauth-client-secret"]), false);
    await continueButton(page).click();
    await seeText(page, "Signed in to Sandbox Corp as Olivia Owner (Administrator)");
    await seeText(page, "Signed in with Namely, through the application with client ID sandbox-oauth-client.");
    await shot(page, "58-signin-sandbox-signed-in-dark");
    await done();
  });
});
