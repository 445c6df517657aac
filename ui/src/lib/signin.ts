// Part 2, Sign in to Namely: which way the stop shows first, and the sandbox's demo
// application. Kept pure so it can be tested without a screen.
import type { ConnectionDetails, SandboxInfo } from "../ipc/bindings";

/** Sign in with Namely (OAuth), or a personal access token. */
export type SignInWay = "oauth" | "token";

/** The client ID and secret of a registered Namely application, as typed. */
export interface NamelyApp {
  client_id: string;
  client_secret: string;
}

/** The sandbox's demo application, when the sandbox runs and names one; null otherwise. */
export function demoApp(info: SandboxInfo | null | undefined): NamelyApp | null {
  const id = info?.namely_client_id;
  const secret = info?.namely_client_secret;
  return id && secret ? { client_id: id, client_secret: secret } : null;
}

/**
 * The way shown first: the one the connection uses; with none yet, Sign in with Namely
 * (the guide's way), except in a sandbox that has a demo token but no demo application.
 */
export function defaultWay(details: ConnectionDetails, demo: NamelyApp | null, demoToken: string): SignInWay {
  if (details.settings.namely_client_id) return "oauth";
  if (details.secrets.some((s) => s.kind === "namely_token" && s.set)) return "token";
  if (details.settings.sandbox && !demo && demoToken) return "token";
  return "oauth";
}

/** The port of a redirect URI, as text ("" when the address names none). */
export function portOf(uri: string): string {
  try {
    return new URL(uri).port;
  } catch {
    return "";
  }
}

/** A port as typed, when it is one a program may listen on (1024–65535); null otherwise. */
export function parsePort(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1024 && n <= 65535 ? n : null;
}

/** The redirect URI with another port, when `port` is one; else the URI unchanged. */
export function withPort(uri: string, port: string): string {
  const n = parsePort(port);
  if (n === null) return uri;
  try {
    const url = new URL(uri);
    url.port = String(n);
    return url.toString();
  } catch {
    return uri;
  }
}

/** Copies `text` to the clipboard; false when the system refused (the person copies by hand). */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Fall through to the older way.
  }
  try {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sr-only";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  } catch {
    return false;
  }
}
