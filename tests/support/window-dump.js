// What the window holds for the canary scan (scripts/canary-scan.sh), as one text: what a
// person reads (innerText), the values of the fields that are not secret inputs (a secret
// input is a password field, or one a person chose to show: inside `.secret`), the webview's
// localStorage, sessionStorage and cookies, and the whole DOM (attributes included; an input's
// typed value is not in it). The body of a function returning a string: tests/app.rs runs it
// through WebDriver next to each screenshot, ui/tests/browser/harness.mjs through Playwright.
const dump = (storage) => {
  try {
    return Object.keys(storage)
      .map((k) => `${k}=${storage.getItem(k)}`)
      .join("\n");
  } catch (e) {
    return `(unreadable: ${e})`;
  }
};
const fields = Array.from(document.querySelectorAll("input, textarea, select"))
  .filter((e) => e.type !== "password" && !e.closest(".secret"))
  .map((e) => `${e.id || e.name || e.tagName.toLowerCase()}=${e.value}`);
return [
  "--- text ---",
  document.body ? document.body.innerText : "",
  "--- fields (secret inputs left out) ---",
  fields.join("\n"),
  "--- localStorage ---",
  dump(window.localStorage),
  "--- sessionStorage ---",
  dump(window.sessionStorage),
  "--- cookies ---",
  document.cookie,
  "--- DOM ---",
  document.documentElement.outerHTML,
].join("\n");
