// Builds the Hosting public folder (console/dist, git-ignored): the console bundle (Preact +
// the Firebase JS SDK, nothing from a CDN), the API reference at /docs (swagger-ui-dist copied
// from node_modules: Hosting ignores node_modules) and /openapi.json generated from the
// functions' endpoint registry (so functions/ must be built first; the root build runs it first).
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "dist");
const require = createRequire(import.meta.url);

fs.rmSync(dist, { recursive: true, force: true });
fs.cpSync(path.join(here, "public"), dist, { recursive: true });

const started = Date.now();
await esbuild.build({
  entryPoints: [path.join(here, "src", "main.tsx")],
  outfile: path.join(dist, "app.js"),
  bundle: true, minify: true, format: "esm", target: "es2020", platform: "browser",
  jsx: "automatic", jsxImportSource: "preact", legalComments: "none", logLevel: "warning",
  alias: { re2js: path.join(here, "src", "lib", "re2js-stub.ts") },
});

const swagger = path.dirname(require.resolve("swagger-ui-dist/package.json"));
for (const f of ["swagger-ui-bundle.js", "swagger-ui.css"]) fs.copyFileSync(path.join(swagger, f), path.join(dist, "docs", f));

const { apiDocument } = require("../functions/lib/openapi/build.js");
fs.writeFileSync(path.join(dist, "openapi.json"), JSON.stringify(apiDocument(), null, 2));

const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const app = fs.statSync(path.join(dist, "app.js")).size;
console.log(`console: app.js ${kb(app)} (${kb(gz("app.js"))} gzip), built in ${Date.now() - started} ms; /docs ${kb(gz("docs/swagger-ui-bundle.js") + gz("docs/swagger-ui.css"))} gzip; /openapi.json written`);
