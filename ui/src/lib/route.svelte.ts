// Client-side routing by state: the app shows one screen at a time.
export type Route =
  | { name: "loading" }
  | { name: "welcome" }
  | { name: "connect" }
  | { name: "wizard"; connection: string }
  | { name: "dashboard" }
  | { name: "history"; connection: string; runId?: number }
  | { name: "settings"; connection: string };

class Router {
  current = $state<Route>({ name: "loading" });

  go(route: Route) {
    this.current = route;
  }
}

export const router = new Router();
