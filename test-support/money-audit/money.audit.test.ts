// The last step of each `npm test` phase (scripts/test.mjs runs it in the same emulator stack,
// after the phase's tests): every wallet, ledger, grant, paid job and usage counter the phase
// left behind must satisfy the credit rules. A violation names the wallet and the entry.
import { db } from "../emulator";
import { moneyAudit } from "./index";
import { EXCLUDED_OWNERS } from "./read";

it("every wallet the phase touched satisfies the credit rules", async () => {
  const result = await moneyAudit(db());
  console.log(`money audit: ${result.wallets} wallets, ${result.entries} ledger entries, ${result.jobs} jobs; skipped owners: ${EXCLUDED_OWNERS.map((x) => `${x.prefix}*`).join(", ")}`);
  if (result.violations.length) throw new Error(`money audit: ${result.violations.length} violation(s)\n${result.violations.slice(0, 50).join("\n")}`);
  expect(result.wallets).toBeGreaterThan(0);
});
