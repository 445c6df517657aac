import { describe, expect, it } from "vitest";
import type { ConnectionDetails, SandboxInfo } from "../ipc/bindings";
import { defaultWay, demoApp, parsePort, portOf, withPort } from "./signin";

const URI = "http://127.0.0.1:47600/namely/callback";

function details(opts: { clientId?: string; token?: boolean; sandbox?: boolean }): ConnectionDetails {
  return {
    settings: { namely_client_id: opts.clientId ?? null, sandbox: !!opts.sandbox, namely_redirect_uri: URI },
    secrets: [{ kind: "namely_token", set: !!opts.token, saved_at: null, store: null, path: null, problem: null }],
  } as unknown as ConnectionDetails;
}

const sandboxInfo = {
  icims_url: "http://127.0.0.1:1",
  namely_url: "http://127.0.0.1:2",
  namely_permalink: "sandbox",
  namely_token: "demo-token",
  icims_customer_id: "1",
  icims_username: "u",
  icims_hmac_key: "k",
  namely_client_id: "",
  namely_client_secret: "",
} satisfies SandboxInfo;

describe("the sign-in way shown first", () => {
  it("is the one the connection uses", () => {
    expect(defaultWay(details({ clientId: "app", token: false }), null, "")).toBe("oauth");
    expect(defaultWay(details({ token: true }), null, "")).toBe("token");
  });
  it("is Sign in with Namely when nothing is saved", () => {
    expect(defaultWay(details({}), null, "")).toBe("oauth");
    expect(defaultWay(details({ sandbox: true }), { client_id: "a", client_secret: "b" }, "demo-token")).toBe("oauth");
  });
  it("is the demo token in a sandbox without a demo application", () => {
    expect(defaultWay(details({ sandbox: true }), null, "demo-token")).toBe("token");
  });
});

describe("the sandbox's demo application", () => {
  it("is there only when the sandbox names both values", () => {
    expect(demoApp(null)).toBeNull();
    expect(demoApp(sandboxInfo)).toBeNull();
    expect(demoApp({ ...sandboxInfo, namely_client_id: "id" })).toBeNull();
    expect(demoApp({ ...sandboxInfo, namely_client_id: "id", namely_client_secret: "s" })).toEqual({
      client_id: "id",
      client_secret: "s",
    });
  });
});

describe("the redirect URI's port", () => {
  it("is read from the backend's URI", () => {
    expect(portOf(URI)).toBe("47600");
    expect(portOf("not a url")).toBe("");
  });
  it("accepts only ports a program may listen on", () => {
    expect(parsePort(" 47612 ")).toBe(47612);
    for (const bad of ["", "80", "1023", "65536", "4760a", "-1", "47 600", "1e4"]) expect(parsePort(bad)).toBeNull();
  });
  it("changes only the port of the URI", () => {
    expect(withPort(URI, "47612")).toBe("http://127.0.0.1:47612/namely/callback");
    expect(withPort(URI, "47600")).toBe(URI);
    expect(withPort(URI, "nope")).toBe(URI);
  });
});
