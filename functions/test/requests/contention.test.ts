import { Contention } from "../../src/requests/contention";

describe("Contention", () => {
  // The largest jitter each call allows, so the bounds themselves are checked.
  const most = () => new Contention((below) => below - 1);

  it("costs an account nobody contends nothing; after a lost commit, fresh commits yield one to two rounds for a second", () => {
    const c = most();
    expect(c.yieldMs("u1", 1_000)).toBe(0);
    c.lost("u1", 1_000);
    expect(c.yieldMs("u1", 1_500)).toBe(100);
    const least = new Contention(() => 0);
    least.lost("u1", 1_000);
    expect(least.yieldMs("u1", 1_500)).toBe(51);
    expect(c.yieldMs("u2", 1_500)).toBe(0);
    expect(c.yieldMs("u1", 2_000)).toBe(0);
  });

  it("lets a commit that keeps losing go sooner each time", () => {
    const c = most();
    expect([1, 2, 4, 9].map((n) => c.retryMs(n))).toEqual([25, 17, 10, 5]);
    expect(c.retryMs(1000)).toBe(1);
  });

  it("scales the waits to the rounds it measures", () => {
    const c = most();
    for (let i = 0; i < 50; i++) c.measured(200);
    expect(c.retryMs(0)).toBe(200);
    expect(c.retryMs(1)).toBe(100);
  });
});
