// Rules of the setup wizard, kept pure so they can be tested without a screen.
// A stop counts as passed only when the backend said so: a live CheckResult from this visit
// wins over the stored status of an earlier check.
import type { CheckCode, CheckResult, SetupStep, StepStatus } from "../ipc/bindings";
import { SETUP_STEPS } from "../ipc/bindings";

/** The wizard's stops, in the backend's order. */
export const STOPS: readonly SetupStep[] = SETUP_STEPS;

export type StopState = "not_started" | "checking" | "passed" | "failed";

export type LiveResults = Partial<Record<SetupStep, CheckResult>>;
export type Checking = Partial<Record<SetupStep, boolean>>;

export interface StopView {
  step: SetupStep;
  /** 1-based, as shown. */
  number: number;
  state: StopState;
  /** When it was last verified or checked (RFC 3339). */
  checkedAt: string | null;
  message: string | null;
}

function stored(step: SetupStep, steps: StepStatus[]): StepStatus | undefined {
  return steps.find((s) => s.step === step);
}

export function isPassed(step: SetupStep, steps: StepStatus[], live: LiveResults): boolean {
  const result = live[step];
  if (result) return result.passed;
  return stored(step, steps)?.state === "passed";
}

export function stopView(step: SetupStep, steps: StepStatus[], live: LiveResults, checking: Checking): StopView {
  const number = STOPS.indexOf(step) + 1;
  const result = live[step];
  const saved = stored(step, steps);
  let state: StopState;
  let checkedAt: string | null;
  let message: string | null;
  if (result) {
    state = result.passed ? "passed" : "failed";
    checkedAt = result.checked_at;
    message = result.summary;
  } else {
    state = saved?.state ?? "not_started";
    checkedAt = saved?.checked_at ?? null;
    message = saved?.message ?? null;
  }
  if (checking[step]) state = "checking";
  return { step, number, state, checkedAt, message };
}

export function stopViews(steps: StepStatus[], live: LiveResults, checking: Checking): StopView[] {
  return STOPS.map((step) => stopView(step, steps, live, checking));
}

export function nextStop(step: SetupStep): SetupStep | null {
  const i = STOPS.indexOf(step);
  return i >= 0 && i < STOPS.length - 1 ? STOPS[i + 1] : null;
}

export function previousStop(step: SetupStep): SetupStep | null {
  const i = STOPS.indexOf(step);
  return i > 0 ? STOPS[i - 1] : null;
}

/** Continue is enabled only when the backend says this stop passed and no check is running. */
export function canContinue(step: SetupStep, steps: StepStatus[], live: LiveResults, checking: Checking): boolean {
  return nextStop(step) !== null && !checking[step] && isPassed(step, steps, live);
}

/** A stop can be opened from the stepper once every stop before it has passed. */
export function canVisit(target: SetupStep, steps: StepStatus[], live: LiveResults): boolean {
  const i = STOPS.indexOf(target);
  if (i < 0) return false;
  return STOPS.slice(0, i).every((s) => isPassed(s, steps, live));
}

/** Where reopening resumes: the backend's resume step, else the first stop not passed. */
export function resumeStop(resume: SetupStep | null | undefined, steps: StepStatus[]): SetupStep {
  if (resume && STOPS.includes(resume) && canVisit(resume, steps, {})) return resume;
  return STOPS.find((s) => !isPassed(s, steps, {})) ?? "review";
}

/** The stored outcome of an earlier check, shaped for display; null when never checked. */
export function storedResult(
  step: SetupStep,
  steps: StepStatus[],
): { passed: boolean; code: CheckCode | null; summary: string; checked_at: string | null } | null {
  const s = stored(step, steps);
  if (!s || s.state === "not_started" || !s.message) return null;
  return { passed: s.state === "passed", code: s.code, summary: s.message, checked_at: s.checked_at };
}

/** What the field stop should put first, from what the last check found. */
export type FieldAdvice = "create" | "recreate" | "sign_in_as_admin" | null;

export function fieldAdvice(code: CheckCode | null | undefined): FieldAdvice {
  switch (code) {
    case "field_missing":
      return "create";
    case "field_misspelt":
    case "field_wrong_type":
      return "recreate";
    case "field_hidden":
      return "sign_in_as_admin";
    default:
      return null;
  }
}
