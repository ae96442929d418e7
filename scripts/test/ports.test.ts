import { FETCH_BLOCKED_PORTS } from "../lib/doctor/checks.mjs";
import { ports } from "../lib/env.mjs";

describe("stack ports", () => {
  it("shift every port by the offset, Hosting included (5000 at offset 0, the contract port)", () => {
    expect(ports(0)).toMatchObject({ hosting: 5000, functions: 5001, auth: 9099 });
    expect(ports(3000)).toMatchObject({ hosting: 8000, functions: 8001, auth: 12099 });
  });

  it("move Hosting off a port browsers and fetch refuse (offset 1000 would give 6000) onto one no stack uses", () => {
    const p = ports(1000);
    expect(p.hosting).toBe(6005);
    expect(FETCH_BLOCKED_PORTS.has(p.hosting)).toBe(false);
    const others = [0, 1000, 2000, 3000, 4000, 5000].flatMap((o) => Object.entries(ports(o)).filter(([k]) => k !== "hosting" || o !== 1000).map(([, v]) => v));
    expect(others).not.toContain(6005);
  });
});
