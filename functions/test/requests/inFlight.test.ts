import { InFlight } from "../../src/requests/inFlight";

describe("InFlight", () => {
  it("lets `max` calls of one key run at once, refuses the next with 429 and Retry-After, and frees slots as calls end", async () => {
    const slots = new InFlight();
    const gates: Array<() => void> = [];
    const work = () => new Promise<string>((resolve) => gates.push(() => resolve("ok")));
    const running = [slots.run("k1", 2, work), slots.run("k1", 2, work)];
    const refused = await slots.run("k1", 2, work).catch((e) => e);
    expect({ code: refused.code, status: refused.status, details: refused.details }).toEqual({ code: "RATE_LIMITED", status: 429, details: { retryAfterSeconds: 1, maxConcurrentCreates: 2 } });
    // Other keys are not affected.
    const other = slots.run("k2", 2, work);
    expect(slots.held("k1")).toBe(2);
    gates[0]();
    await running[0];
    expect(slots.held("k1")).toBe(1);
    const again = slots.run("k1", 2, work);
    gates.slice(1).forEach((g) => g());
    await Promise.all([running[1], other, again]);
    expect(slots.held("k1")).toBe(0);
  });

  it("frees the slot when the work fails", async () => {
    const slots = new InFlight();
    await expect(slots.run("k", 1, async () => { throw new Error("boom"); })).rejects.toThrow("boom");
    await expect(slots.run("k", 1, async () => "ok")).resolves.toBe("ok");
  });
});
