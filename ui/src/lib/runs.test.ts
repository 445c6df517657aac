import { describe, expect, it } from "vitest";
import type { RecordView } from "../ipc/bindings";
import { fixStop, outcomeLong, outcomeTally, outcomeTone, runFix, runFixPlace } from "./runs";

const rec = (outcome: RecordView["outcome"]): RecordView => ({
  person_id: 1,
  name: "Jane Doe",
  email: null,
  outcome,
  reason: "",
  namely_profile_id: null,
  at: "2026-11-27T09:00:00Z",
  start_date: "2026-12-02",
});

describe("runs", () => {
  it("colours outcomes by what they ask of a person", () => {
    expect(outcomeTone("created")).toBe("ok");
    expect(outcomeTone("already_in_namely")).toBe("neutral");
    expect(outcomeTone("needs_review")).toBe("warn");
    expect(outcomeTone("failed")).toBe("bad");
    expect(outcomeTone("created_with_warning")).toBe("warn");
    expect(outcomeTone("left_out")).toBe("neutral");
  });

  it("names the new outcomes in full where there is room", () => {
    expect(outcomeLong("left_out")).toBe("Left out: started before the start-from date");
    expect(outcomeLong("created_with_warning")).toBe("Added with a warning");
  });

  it("tallies outcomes in a stable order without empty ones", () => {
    expect(outcomeTally([rec("failed"), rec("created"), rec("failed")])).toEqual([
      { kind: "created", count: 1 },
      { kind: "failed", count: 2 },
    ]);
    expect(outcomeTally([rec("left_out"), rec("created_with_warning"), rec("created")]).map((t) => t.kind)).toEqual([
      "created",
      "created_with_warning",
      "left_out",
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
  it("sends an owner that failed the pre-flight to Setup, the rest to Settings", () => {
    expect(runFix("owner_invalid")).toContain("part 3");
    expect(runFixPlace("owner_invalid")).toBe("setup");
    expect(runFixPlace("namely_credentials")).toBe("settings");
    expect(runFixPlace("icims_unavailable")).toBeNull();
    expect(fixStop("owner_invalid")).toBe("owner");
    expect(fixStop("icims_credentials")).toBe("icims");
    expect(fixStop("namely_unavailable")).toBeNull();
  });
});
