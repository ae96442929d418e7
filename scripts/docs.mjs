#!/usr/bin/env node
// `npm run docs`: rewrites the generated references from the code (after building the packages):
// docs/api.md from the endpoint registry, docs/configuration.md from the config schemas. Tests
// fail while a committed copy is out of date.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { repoRoot } from "./lib/env.mjs";
import { CONFIG_PACKAGES, configReference } from "./lib/docs/config-reference.mjs";

const require = createRequire(import.meta.url);
process.env.FUNCTIONS_EMULATOR ??= "true";
const write = (rel, text) => {
  fs.writeFileSync(path.join(repoRoot, rel), text);
  console.log(`wrote ${rel}`);
};

const { apiDocument } = require(path.join(repoRoot, "functions/lib/openapi/build.js"));
const { apiMarkdown } = require(path.join(repoRoot, "functions/lib/openapi/markdown.js"));
write("docs/api.md", apiMarkdown(apiDocument()));

const { toJSONSchema } = createRequire(path.join(repoRoot, "functions", "package.json"))("zod");
const packages = CONFIG_PACKAGES.map((p) => ({
  ...p,
  source: fs.readFileSync(path.join(repoRoot, p.file), "utf8"),
  schema: require(path.join(repoRoot, p.built)).configSchema,
}));
write("docs/configuration.md", configReference(packages, toJSONSchema, repoRoot));
