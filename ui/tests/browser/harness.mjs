// Shared pieces of the browser-level tests: serve ui/dist, drive Debian's Chromium with
// playwright-core, inject the fake backend, wait for things, save screenshots.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { chromium } from "playwright-core";

const here = fileURLToPath(new URL(".", import.meta.url));
export const DIST = resolve(here, "../../dist");
export const SHOTS = resolve(here, "../../../artifacts/ui");
const FAKE_BACKEND = join(here, "fake-backend.js");
/** What the window holds as text, storage and DOM (shared with tests/app.rs). */
const WINDOW_DUMP = readFileSync(resolve(here, "../../../tests/support/window-dump.js"), "utf8");

/**
 * The canaries of crates/sandbox/canaries.txt, by name: secrets the tests type (and the fake
 * backend accepts) that the canary scan (scripts/canary-scan.sh) must never find in the
 * window's text or storage, which `shot` and `done` save as artifacts/ui/*.txt.
 * @type {Record<string, string>}
 */
export const CANARY = Object.fromEntries(
  readFileSync(resolve(here, "../../../crates/sandbox/canaries.txt"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split(/\s+/).slice(0, 2)),
);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

/** A static server for ui/dist on 127.0.0.1 and a free port. */
export async function serveDist() {
  if (!existsSync(join(DIST, "index.html"))) {
    throw new Error(`No built interface at ${DIST}: run \`npm run build\` first.`);
  }
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file = normalize(join(DIST, path));
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, "index.html");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

export function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * Opens the app on a fresh page with the fake backend seeded from `scenario`.
 * Returns the page and a `done()` that fails on any page error and closes the context.
 */
/**
 * For a test file: serves ui/dist and launches Chromium before its tests, closes both after.
 * `app(scenario, options)` opens the app on them (see `openApp`).
 */
export function useApp() {
  /** @type {{ server: any, browser: any }} */
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await serveDist();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return {
    app: (scenario = {}, options = {}) => openApp(env.browser, env.server.url, scenario, options),
  };
}

export async function openApp(browser, url, scenario = {}, { colorScheme = "light", width = 900, height = 600 } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    colorScheme,
    locale: "en-GB",
    timezoneId: "Europe/Berlin",
    reducedMotion: "reduce",
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.addInitScript(([s, c]) => {
    window.__FAKE_SCENARIO__ = s;
    window.__FAKE_CANARIES__ = c;
  }, [scenario, CANARY]);
  await page.addInitScript({ path: FAKE_BACKEND });
  await page.goto(url);
  return {
    page,
    async done() {
      // What the window holds at the end of every test, for the canary scan.
      if (!page.isClosed()) await saveWindow(page, `${TEST_FILE}.end-${String(++ended).padStart(2, "0")}`);
      await context.close();
      if (errors.length) throw new Error(`errors in the page:\n${errors.join("\n")}`);
    },
  };
}

/**
 * Saves a PNG as artifacts/ui/NN-name.png. By default the window is stretched to the page's
 * height first, so the whole screen shows with the sticky footer where it belongs; with
 * `{ window: true }` it is exactly what a 900×600 window shows.
 */
/** The button named exactly `name` inside `scope` (a page or a locator). */
export const button = (scope, name) => scope.getByRole("button", { name, exact: true });

/** The dashboard card of the connection `name`. */
export const card = (page, name) => page.locator(`article[data-connection="${name}"]`);

export async function shot(page, name, { window = false } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  const path = join(SHOTS, `${name}.png`);
  const size = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (window || !size || height <= size.height) {
    await page.screenshot({ path });
    await saveWindow(page, name);
    return;
  }
  await page.setViewportSize({ width: size.width, height });
  await page.screenshot({ path });
  await page.setViewportSize(size);
  await saveWindow(page, name);
}

/** This test file's name (node --test runs each file in a process of its own). */
const TEST_FILE = (process.argv[1] ?? "test").split("/").pop().replace(/\.test\.mjs$/, "");
let ended = 0;

/** Saves what the window holds — text, fields that are not secret inputs, storage, DOM — as artifacts/ui/NAME.txt. */
export async function saveWindow(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const text = await page.evaluate(`(() => {\n${WINDOW_DUMP}\n})()`);
  writeFileSync(join(SHOTS, `${name}.txt`), text);
}

/** Waits until `locator` is visible. */
export async function visible(locator, timeout = 5000) {
  await locator.first().waitFor({ state: "visible", timeout });
  return locator.first();
}

/** Waits until the page shows `text` (a string or RegExp) somewhere. */
export function seeText(page, text, timeout = 5000) {
  return visible(page.getByText(text), timeout);
}

/** Polls `fn` until it returns true. */
export async function until(fn, what, timeout = 5000) {
  const start = Date.now();
  for (;;) {
    if (await fn()) return;
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until a button is enabled (true) or disabled (false). */
export function buttonState(locator, enabled, timeout = 5000) {
  return until(async () => (await locator.isEnabled()) === enabled, `${locator} to be ${enabled ? "enabled" : "disabled"}`, timeout);
}

/** Helpers to steer the fake backend from a test. */
export const fake = {
  pause: (page, key) => page.evaluate((k) => window.__fake.pause(k), key),
  step: (page, key, n = 1) => page.evaluate(([k, c]) => window.__fake.step(k, c), [key, n]),
  resume: (page, key) => page.evaluate((k) => window.__fake.resume(k), key),
  waiting: (page, key) => page.evaluate((k) => window.__fake.waiting(k), key),
  set: (page, name, patch) => page.evaluate(([n, p]) => window.__fake.set(n, p), [name, patch]),
  calls: (page, cmd) => page.evaluate((c) => window.__fake.calls.filter((x) => x.cmd === c), cmd),
  /** Namely's answer ("accept", "deny", "timeout") to the Sign in with Namely waiting for `name`. */
  answerSignIn: (page, name, answer) => page.evaluate(([n, a]) => window.__fake.answerSignIn(n, a), [name, answer]),
  /** Whether a Sign in with Namely of `name` waits for Namely's answer. */
  signInWaiting: (page, name) => page.evaluate((n) => window.__fake.signInWaiting(n), name),
  /** The backend events the fake sent, in order (all, or those named `event`). */
  events: (page, event) => page.evaluate((e) => window.__fake.emitted.filter((x) => !e || x.event === e), event),
};

/** Waits until the fake has a sync (or command) parked at its gate, then lets `n` pass. */
export async function advance(page, key, n = 1) {
  for (let i = 0; i < n; i++) {
    await until(async () => (await fake.waiting(page, key)) > 0, `${key} to reach its gate`);
    await fake.step(page, key, 1);
  }
}
