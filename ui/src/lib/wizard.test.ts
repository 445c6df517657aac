import { describe, expect, it } from "vitest";
import type { CheckResult, SetupStep, StepStatus } from "../ipc/bindings";
import { canContinue, canVisit, fieldAdvice, isPassed, nextStop, previousStop, resumeStop, stopView, storedResult } from "./wizard";

const at = "2026-11-27T09:42:00Z";
function steps(passed: SetupStep[], failed: SetupStep[] = []): StepStatus[] {
  return (["namely_field", "namely_sign_in", "owner", "icims", "review"] as SetupStep[]).map((step) => ({
    step,
    state: passed.includes(step) ? "passed" : failed.includes(step) ? "failed" : "not_started",
    code: passed.includes(step) ? "passed" : failed.includes(step) ? "field_missing" : null,
    message: passed.includes(step) || failed.includes(step) ? `${step} checked` : null,
    checked_at: passed.includes(step) || failed.includes(step) ? at : null,
  }));
}
function check(step: SetupStep, passed: boolean): CheckResult {
  const code = passed ? "passed" : "field_missing";
  return { step, code, passed, summary: passed ? "ok" : "not ok", fix: null, field: null, detail: null, checked_at: at };
}

describe("wizard navigation", () => {
  it("orders the five stops", () => {
    expect(nextStop("namely_field")).toBe("namely_sign_in");
    expect(nextStop("review")).toBeNull();
    expect(previousStop("namely_field")).toBeNull();
    expect(previousStop("icims")).toBe("owner");
  });

  it("enables Continue only when the backend said the stop passed", () => {
    expect(canContinue("namely_field", steps([]), {}, {})).toBe(false);
    expect(canContinue("namely_field", steps(["namely_field"]), {}, {})).toBe(true);
    expect(canContinue("namely_field", steps([]), { namely_field: check("namely_field", true) }, {})).toBe(true);
    expect(canContinue("namely_field", steps([], ["namely_field"]), {}, {})).toBe(false);
  });

  it("lets a fresh failed check override an earlier pass", () => {
    const s = steps(["namely_field"]);
    expect(isPassed("namely_field", s, { namely_field: check("namely_field", false) })).toBe(false);
    expect(canContinue("namely_field", s, { namely_field: check("namely_field", false) }, {})).toBe(false);
  });

  it("disables Continue while a check is running", () => {
    expect(canContinue("owner", steps(["namely_field", "namely_sign_in", "owner"]), {}, { owner: true })).toBe(false);
  });

  it("has no Continue on the last stop", () => {
    expect(canContinue("review", steps(["namely_field", "namely_sign_in", "owner", "icims", "review"]), {}, {})).toBe(false);
  });

  it("opens a stop from the stepper only when every stop before it passed", () => {
    const s = steps(["namely_field", "namely_sign_in"]);
    expect(canVisit("namely_field", s, {})).toBe(true);
    expect(canVisit("owner", s, {})).toBe(true);
    expect(canVisit("icims", s, {})).toBe(false);
    expect(canVisit("icims", s, { owner: check("owner", true) })).toBe(true);
  });

  it("resumes at the backend's resume step", () => {
    expect(resumeStop("owner", steps(["namely_field", "namely_sign_in"]))).toBe("owner");
    expect(resumeStop("namely_field", steps([]))).toBe("namely_field");
  });

  it("falls back to the first stop not verified when the resume step is out of reach", () => {
    expect(resumeStop("icims", steps(["namely_field"]))).toBe("namely_sign_in");
    expect(resumeStop(null, steps(["namely_field", "namely_sign_in", "owner", "icims", "review"]))).toBe("review");
  });

  it("shows not started / checking / verified / needs attention", () => {
    const s = steps(["namely_field"], ["owner"]);
    expect(stopView("namely_field", s, {}, {})).toMatchObject({ number: 1, state: "passed", checkedAt: at });
    expect(stopView("namely_sign_in", s, {}, {})).toMatchObject({ number: 2, state: "not_started", checkedAt: null });
    expect(stopView("owner", s, {}, {}).state).toBe("failed");
    expect(stopView("owner", s, {}, { owner: true }).state).toBe("checking");
    expect(stopView("namely_sign_in", s, { namely_sign_in: check("namely_sign_in", true) }, {})).toMatchObject({
      state: "passed",
      message: "ok",
    });
  });

  it("turns a stored status into something to show, or nothing", () => {
    const s = steps(["namely_field"]);
    expect(storedResult("namely_field", s)).toEqual({ passed: true, code: "passed", summary: "namely_field checked", checked_at: at });
    expect(storedResult("owner", s)).toBeNull();
  });
});

describe("field advice", () => {
  it("follows what the last check found, by code", () => {
    expect(fieldAdvice("field_missing")).toBe("create");
    expect(fieldAdvice("field_misspelt")).toBe("recreate");
    expect(fieldAdvice("field_wrong_type")).toBe("recreate");
    expect(fieldAdvice("field_hidden")).toBe("sign_in_as_admin");
    expect(fieldAdvice("passed")).toBeNull();
    expect(fieldAdvice("token_refused")).toBeNull();
    expect(fieldAdvice(null)).toBeNull();
  });
  it("keeps the stored code with the stored result", () => {
    const stored = storedResult("namely_field", steps([], ["namely_field"]));
    expect(stored?.code).toBe("field_missing");
    expect(stored?.passed).toBe(false);
  });
});
