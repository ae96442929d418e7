// The document as served at /openapi.json: the registry, the examples and this project's servers.
import { loadConfig } from "../config";
import { buildOpenApi } from "./document";
import { EXAMPLES } from "./examples";
import { ENDPOINT_GROUPS, registeredEndpoints } from "./registry";

export const API_VERSION = "1.0.0";

/**
 * The document states the default limits: it is built on a build machine (npm run build, the
 * Hosting predeploy), whose environment is not the functions' (functions/.env.<project>).
 */
export const documentedConfig = () => loadConfig({ FUNCTIONS_EMULATOR: "true" });

export function apiDocument() {
  return buildOpenApi(registeredEndpoints(), {
    version: API_VERSION,
    config: documentedConfig(),
    examples: EXAMPLES,
    tags: ENDPOINT_GROUPS.map((g) => ({ name: g.tag, description: g.description })),
    servers: [
      { url: "/api", description: "Firebase Hosting, same origin as the console and /docs (rewrites to the functions)" },
      { url: "http://127.0.0.1:5001/demo-imagegen/us-central1", description: "Functions emulator, called directly" },
    ],
  });
}
