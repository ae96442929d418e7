import { admitCreate } from "../../src/requests/rateLimit";

describe("admitCreate", () => {
  const t0 = 1_700_000_000_000;

  it("admits up to the limit within a minute, then refuses with the wait until the window ends", () => {
    let window = undefined as Parameters<typeof admitCreate>[0];
    for (let i = 0; i < 3; i++) {
      const d = admitCreate(window, t0 + i * 1000, 3);
      expect(d.allowed).toBe(true);
      if (d.allowed) window = d.next;
    }
    expect(window).toEqual({ startMs: t0, count: 3 });
    expect(admitCreate(window, t0 + 20_000, 3)).toEqual({ allowed: false, retryAfterSeconds: 40 });
    expect(admitCreate(window, t0 + 59_999, 3)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it("opens a new window after a minute, and after a clock that went backwards", () => {
    const full = { startMs: t0, count: 3 };
    expect(admitCreate(full, t0 + 60_000, 3)).toEqual({ allowed: true, next: { startMs: t0 + 60_000, count: 1 } });
    expect(admitCreate(full, t0 - 5_000, 3)).toEqual({ allowed: true, next: { startMs: t0 - 5_000, count: 1 } });
  });
});
