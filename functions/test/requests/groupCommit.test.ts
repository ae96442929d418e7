// The per-account queue of the group commit, with a commit function that records what it was
// given and finishes when the test says so.
import { GroupCommitter, takeGroup } from "../../src/requests/groupCommit";

interface Pending { account: string; items: string[]; finish: (fail?: Error) => void }

function harness(maxItems: number) {
  const calls: Pending[] = [];
  let inFlight = new Map<string, number>();
  let maxSeen = 0;
  const committer = new GroupCommitter<string, string>((account, items) => new Promise((resolve, reject) => {
    inFlight.set(account, (inFlight.get(account) ?? 0) + 1);
    maxSeen = Math.max(maxSeen, inFlight.get(account)!);
    calls.push({ account, items, finish: (fail) => {
      inFlight.set(account, inFlight.get(account)! - 1);
      if (fail) reject(fail);
      else resolve(items.map((i) => `done:${i}`));
    } });
  }), maxItems);
  const settle = () => new Promise((r) => setImmediate(r));
  return { committer, calls, settle, maxInFlight: () => maxSeen };
}

describe("GroupCommitter", () => {
  it("commits a lone submission at once, without waiting for company", async () => {
    const h = harness(50);
    const answer = h.committer.submit("u1", ["a"]);
    expect(h.calls.map((c) => c.items)).toEqual([["a"]]);
    h.calls[0].finish();
    await expect(answer).resolves.toEqual(["done:a"]);
  });

  it("queues behind the one commit in flight, then takes every waiting submission in arrival order", async () => {
    const h = harness(50);
    const first = h.committer.submit("u1", ["a"]);
    const rest = [h.committer.submit("u1", ["b"]), h.committer.submit("u1", ["c", "d"]), h.committer.submit("u1", ["e"])];
    expect(h.calls).toHaveLength(1);
    expect(h.committer.waiting("u1")).toBe(4);
    h.calls[0].finish();
    await first;
    await h.settle();
    expect(h.calls.map((c) => c.items)).toEqual([["a"], ["b", "c", "d", "e"]]);
    h.calls[1].finish();
    await expect(Promise.all(rest)).resolves.toEqual([["done:b"], ["done:c", "done:d"], ["done:e"]]);
    expect(h.maxInFlight()).toBe(1);
    expect(h.committer.waiting("u1")).toBe(0);
  });

  it("bounds a commit by whole submissions; one larger than the bound goes alone", async () => {
    const h = harness(3);
    h.committer.submit("u1", ["a"]);
    const subs = [["b"], ["c", "d"], ["e", "f"], ["g", "h", "i", "j"], ["k"]].map((items) => h.committer.submit("u1", items));
    for (let i = 1; i <= 3; i++) {
      h.calls[i - 1].finish();
      await h.settle();
    }
    expect(h.calls.map((c) => c.items)).toEqual([["a"], ["b", "c", "d"], ["e", "f"], ["g", "h", "i", "j"]]);
    h.calls[3].finish();
    await h.settle();
    expect(h.calls[4].items).toEqual(["k"]);
    h.calls[4].finish();
    await expect(Promise.all(subs)).resolves.toHaveLength(5);
  });

  it("keeps accounts apart: two accounts commit at the same time", () => {
    const h = harness(50);
    h.committer.submit("u1", ["a"]);
    h.committer.submit("u2", ["b"]);
    expect(h.calls.map((c) => [c.account, c.items])).toEqual([["u1", ["a"]], ["u2", ["b"]]]);
  });

  it("a failed commit rejects only its own submissions; the next commit still runs", async () => {
    const h = harness(50);
    const first = h.committer.submit("u1", ["a"]);
    const second = h.committer.submit("u1", ["b"]);
    h.calls[0].finish(new Error("busy"));
    await expect(first).rejects.toThrow("busy");
    await h.settle();
    h.calls[1].finish();
    await expect(second).resolves.toEqual(["done:b"]);
  });
});

describe("takeGroup", () => {
  it("takes whole submissions up to the bound, at least one, and leaves the rest queued", () => {
    const q = [{ items: [1, 2] }, { items: [3] }, { items: [4, 5] }];
    expect(takeGroup(q, 3)).toEqual([{ items: [1, 2] }, { items: [3] }]);
    expect(q).toEqual([{ items: [4, 5] }]);
    expect(takeGroup([{ items: [1, 2, 3, 4] }, { items: [5] }], 3)).toEqual([{ items: [1, 2, 3, 4] }]);
  });
});
