import fs from "node:fs";
import path from "node:path";
import { anchors, brokenLinks, slug } from "../lib/docs/links.mjs";

const repoRoot = path.resolve(__dirname, "..", "..");
const read = (rel: string) => (fs.existsSync(path.join(repoRoot, rel)) ? fs.readFileSync(path.join(repoRoot, rel), "utf8") : null);
const isDir = (rel: string) => fs.existsSync(path.join(repoRoot, rel)) && fs.statSync(path.join(repoRoot, rel)).isDirectory();

describe("links in the README and docs/", () => {
  it("every relative link names a file of the repository, and every anchor one of its headings", () => {
    const files = ["README.md", ...fs.readdirSync(path.join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
    const broken = files.flatMap((f) => brokenLinks(f, read(f)!, read, isDir));
    expect(broken).toEqual([]);
  });

  it("makes anchors the way GitHub does, and catches a broken one", () => {
    expect(slug("Money in: grants, plans, Stripe (issue 16)")).toBe("money-in-grants-plans-stripe-issue-16");
    expect(slug("`npm run doctor`")).toBe("npm-run-doctor");
    expect([...anchors("# A\n## A\n```\n# not a heading\n```\n## B c")]).toEqual(["a", "a-1", "b-c"]);
    const docs = { "docs/x.md": "# Title\n" } as Record<string, string>;
    const r = (p: string) => docs[p] ?? null;
    expect(brokenLinks("README.md", "[ok](docs/x.md#title) [bad](docs/x.md#nope) [gone](docs/y.md) [web](https://example.com)", r, () => false)).toEqual([
      "README.md:1: docs/x.md#nope (no heading #nope in docs/x.md)",
      "README.md:1: docs/y.md (no such file)",
    ]);
  });
});
