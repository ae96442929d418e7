// Firebase Hosting rewrites for the API: /api/<name> → the function <name>, one per registered
// endpoint (a rewrite names one function). firebase.json must hold exactly these (a test checks).
import type { RegisteredEndpoint } from "./registry";

export const API_PREFIX = "/api";

export function hostingRewrites(endpoints: Pick<RegisteredEndpoint, "name">[], region: string) {
  return endpoints.map((e) => ({ source: `${API_PREFIX}/${e.name}`, function: { functionId: e.name, region } }));
}
