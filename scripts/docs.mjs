#!/usr/bin/env node
// `npm run docs`: rewrites the generated references from the code (after building functions):
// docs/api.md from the endpoint registry. A test fails while a committed copy is out of date.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { repoRoot } from "./lib/env.mjs";

const require = createRequire(import.meta.url);
process.env.FUNCTIONS_EMULATOR ??= "true";
const { apiDocument } = require(path.join(repoRoot, "functions/lib/openapi/build.js"));
const { apiMarkdown } = require(path.join(repoRoot, "functions/lib/openapi/markdown.js"));
const out = path.join(repoRoot, "docs", "api.md");
fs.writeFileSync(out, apiMarkdown(apiDocument()));
console.log(`wrote ${path.relative(repoRoot, out)}`);
