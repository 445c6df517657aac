import { describe, expect, it } from "vitest";
import { toProblem } from "./errors";

describe("errors", () => {
  it("keeps the backend's plain words and the field", () => {
    expect(toProblem({ code: "invalid_input", message: "Not a Namely address.", field: "namely_permalink" })).toEqual({
      message: "Not a Namely address.",
      field: "namely_permalink",
      detail: null,
      code: "invalid_input",
    });
  });

  it("hides technical text of internal errors behind Details", () => {
    const p = toProblem(new TypeError("x is undefined"));
    expect(p.code).toBe("internal");
    expect(p.message).toMatch(/Something went wrong/);
    expect(p.detail).toContain("x is undefined");
  });

  it("falls back to words per code when the message is empty", () => {
    expect(toProblem({ code: "busy", message: "", field: null }).message).toMatch(/already running/);
  });

  it("adds the app's own hint by code: the backend's words name no screen", () => {
    const p = toProblem({ code: "secret_missing", message: 'No Namely token is saved for "Acme" yet.', field: null });
    expect(p.message).toBe('No Namely token is saved for "Acme" yet. Open the company\'s Settings to enter it.');
    expect(toProblem({ code: "not_found", message: "There is no run number 4.", field: null }).message).toBe(
      "There is no run number 4.",
    );
  });
});
