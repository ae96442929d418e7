// How stale an API key's view of its account can be: at most the cache's TTL.
import { AccountStateCache } from "../../src/auth/accountState";

it("re-reads the account after the TTL, so a disabled account's keys stop within it", async () => {
  let disabled = false;
  let lookups = 0;
  const cache = new AccountStateCache({ getUser: async () => (lookups++, { disabled }) }, 30_000);
  expect(await cache.stateOf("u", 0)).toBe("active");
  disabled = true;
  expect(await cache.stateOf("u", 29_999)).toBe("active");
  expect(await cache.stateOf("u", 30_000)).toBe("disabled");
  expect(lookups).toBe(2);
});

it("reports a deleted account, and turns a failed lookup into a retryable error", async () => {
  const gone = new AccountStateCache({ getUser: async () => Promise.reject(Object.assign(new Error("no"), { code: "auth/user-not-found" })) }, 1000);
  expect(await gone.stateOf("u", 0)).toBe("deleted");
  const down = new AccountStateCache({ getUser: async () => Promise.reject(new Error("ECONNRESET")) }, 1000);
  await expect(down.stateOf("u", 0)).rejects.toMatchObject({ code: "UNAVAILABLE" });
});
