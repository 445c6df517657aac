// What the app learns once per session: about itself, and the sandbox's demo values.
import type { AppInfo, BackgroundState, SandboxInfo } from "../ipc/bindings";

class Session {
  appInfo = $state<AppInfo | null>(null);
  /** Demo credentials of the running sandbox, to fill in the wizard. */
  sandbox = $state<SandboxInfo | null>(null);
  /** Number of connections at last count: whether "All companies" leads anywhere. */
  connectionCount = $state(0);
  /** Paused schedules and start at login (the tray and Settings change them). */
  background = $state<BackgroundState | null>(null);

  get keychainPersistent(): boolean {
    return this.appInfo?.keychain.persistent ?? true;
  }
}

export const session = new Session();
