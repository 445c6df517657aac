import { describe, expect, it } from "vitest";
import { joinSentences, splitCode } from "./text";

describe("text", () => {
  it("splits backtick code out of messages", () => {
    expect(splitCode("Found `icmis_id`, which looks like a typo.")).toEqual([
      { text: "Found ", code: false },
      { text: "icmis_id", code: true },
      { text: ", which looks like a typo.", code: false },
    ]);
  });

  it("keeps an unmatched backtick as text", () => {
    expect(splitCode("a `b")).toEqual([
      { text: "a ", code: false },
      { text: "`b", code: false },
    ]);
    expect(splitCode("")).toEqual([]);
  });

  it("joins summary and fix", () => {
    expect(joinSentences("No field yet.", null, " Create it. ")).toBe("No field yet. Create it.");
  });
});
