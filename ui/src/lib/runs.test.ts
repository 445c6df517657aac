import { describe, expect, it } from "vitest";
import type { RecordView } from "../ipc/bindings";
import { outcomeTally, outcomeTone, runFix } from "./runs";

const rec = (outcome: RecordView["outcome"]): RecordView => ({
  person_id: 1,
  name: "Jane Doe",
  email: null,
  outcome,
  reason: "",
  namely_profile_id: null,
  at: "2026-11-27T09:00:00Z",
});

describe("runs", () => {
  it("colours outcomes by what they ask of a person", () => {
    expect(outcomeTone("created")).toBe("ok");
    expect(outcomeTone("already_in_namely")).toBe("neutral");
    expect(outcomeTone("needs_review")).toBe("warn");
    expect(outcomeTone("failed")).toBe("bad");
  });

  it("tallies outcomes in a stable order without empty ones", () => {
    expect(outcomeTally([rec("failed"), rec("created"), rec("failed")])).toEqual([
      { kind: "created", count: 1 },
      { kind: "failed", count: 2 },
    ]);
  });
});

describe("runFix", () => {
  it("points at Settings for the failures fixed there, by code", () => {
    expect(runFix("namely_credentials")).toContain("Sign in to Namely again");
    expect(runFix("icims_credentials")).toContain("HMAC key");
    expect(runFix("secret_missing")).toContain("Settings");
  });
  it("says nothing where the next run simply tries again", () => {
    expect(runFix(null)).toBeNull();
    expect(runFix("icims_unavailable")).toBeNull();
    expect(runFix("namely_throttled")).toBeNull();
    expect(runFix("cancelled")).toBeNull();
  });
});
