// The API reference is complete and true: every HTTPS function index.ts exports is documented,
// the document is valid OpenAPI 3.1, and every example passes the endpoint's own schemas.
import SwaggerParser from "@apidevtools/swagger-parser";
import { ApiError } from "../../src/http/errors";
import { assertReplyMatches } from "../../src/http/endpoint";
import { logged } from "../../../test-support/quiet-logs";
import { registeredEndpoints } from "../../src/openapi/registry";
import { apiDocument, documentedConfig } from "../../src/openapi/build";
import { EXAMPLES } from "../../src/openapi/examples";
import { errorEnvelopeSchema } from "../../src/openapi/errors";

// index.ts checks the configuration when it loads; outside the emulators that is a deployed one.
process.env.FUNCTIONS_EMULATOR ??= "true";
const exported = require("../../src/index") as Record<string, { __endpoint?: Record<string, unknown> }>;
const httpsExports = Object.keys(exported).filter((name) => exported[name]?.__endpoint?.httpsTrigger).sort();
const doc = apiDocument() as any;

describe("OpenAPI document", () => {
  it("documents every HTTPS function exported by index.ts, and nothing else", () => {
    expect(httpsExports.length).toBeGreaterThan(10);
    const documented = Object.keys(doc.paths).map((p) => p.slice(1)).sort();
    expect(documented).toEqual(httpsExports);
    const registered = registeredEndpoints().map((e) => e.name).sort();
    expect(registered).toEqual(httpsExports);
  });

  it("registry entries are the exported functions themselves (same spec, same name)", () => {
    for (const e of registeredEndpoints()) expect((exported[e.name] as any).spec).toMatchObject({ name: e.name, method: e.method });
  });

  it("is a valid OpenAPI 3.1 document with resolvable references", async () => {
    expect(doc.openapi).toBe("3.1.0");
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it("states method, auth and scope per endpoint", () => {
    for (const e of registeredEndpoints()) {
      const op = doc.paths[`/${e.name}`][e.method.toLowerCase()];
      expect(op).toBeDefined();
      expect(op["x-access"].role).toBe(e.access);
      const schemes = op.security.map((s: object) => Object.keys(s)[0]);
      if (e.access === "public") expect(schemes).toEqual([]);
      else expect(schemes).toEqual(e.scope ? ["idToken", "apiKey"] : ["idToken"]);
      if (e.scope) expect(op.security[1].apiKey).toEqual([e.scope]);
    }
  });

  it("documents the error envelope with its codes on every authenticated endpoint", () => {
    const create = doc.paths["/createGenerationRequest"].post.responses;
    expect(create["402"].description).toContain("INSUFFICIENT_CREDITS");
    expect(create["401"].description).toContain("API_KEY_REVOKED");
    expect(create["400"].content["application/json"].schema.$ref).toBe("#/components/schemas/Error");
    for (const e of registeredEndpoints().filter((x) => x.access !== "public")) {
      expect(Object.keys(doc.paths[`/${e.name}`][e.method.toLowerCase()].responses)).toEqual(expect.arrayContaining(["400", "401", "403", "500"]));
    }
    expect(errorEnvelopeSchema.safeParse(new ApiError("NOT_FOUND", "x", { id: "y" }).toBody()).success).toBe(true);
  });

  it("has an example per endpoint that the endpoint's own schemas accept", () => {
    for (const e of registeredEndpoints()) {
      const ex = EXAMPLES[e.name];
      expect(ex).toBeDefined();
      if (e.input) {
        const r = e.input(documentedConfig()).safeParse(ex.input ?? {});
        if (!r.success) throw new Error(`${e.name} input example: ${r.error.message}`);
      }
      const out = e.output().safeParse(ex.output);
      if (!out.success) throw new Error(`${e.name} output example: ${out.error.message}`);
    }
  });

  it("turns GET query schemas into parameters and POST schemas into JSON bodies", () => {
    const list = doc.paths["/listGenerationRequests"].get;
    expect(list.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(["limit", "cursor", "status", "userId"]));
    expect(list.parameters.find((p: any) => p.name === "status").schema.enum).toContain("succeeded");
    const create = doc.paths["/createGenerationRequest"].post.requestBody.content["application/json"].schema;
    expect(create.required).toEqual(expect.arrayContaining(["model", "style", "color", "size", "prompt"]));
    expect(create.properties.numImages).toMatchObject({ minimum: 1, maximum: 4 });
    expect(create.additionalProperties).toBe(false);
  });
});

describe("reply check (on in the emulator)", () => {
  it("passes a reply that matches the endpoint's output schema and fails one that strays, naming the field", () => {
    // The mismatch is also logged as an error (recorded, not printed: test-support/quiet-logs.ts).
    const before = logged("error").length;
    const spec = (exported.cancelGenerationRequest as any).spec;
    expect(() => assertReplyMatches(spec, EXAMPLES.cancelGenerationRequest.output)).not.toThrow();
    expect(() => assertReplyMatches(spec, { ...(EXAMPLES.cancelGenerationRequest.output as object), extra: 1 })).toThrow(/reply does not match/);
    expect(() => assertReplyMatches(spec, { id: "x", status: "cancelled", refundedCredits: "1", currentCredits: 9 })).toThrow(/refundedCredits/);
    expect(logged("error").slice(before)).toContainEqual(expect.objectContaining({ message: "reply does not match its schema", fields: expect.objectContaining({ fn: "cancelGenerationRequest" }) }));
  });
});
