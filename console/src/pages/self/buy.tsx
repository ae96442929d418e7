// Buy: credit packs and plans from the catalog (checkout on Stripe, or locally on the Stripe
// stand-in's page), the current plan with its renewal date (and Stripe's portal to change or
// cancel it), and the grants with their expiry.
import { useEffect, useState } from "preact/hooks";
import { collection, getDocs } from "firebase/firestore";
import type { CreditHistoryReply } from "../../../../functions/src/ledger/schema";
import { when } from "../../lib/format";
import { useSession } from "../../session";
import { ErrorBox, Loading } from "../../ui";

interface Item { id: string; displayName: string; credits?: number; monthlyCredits?: number; stripePriceId?: string | null; enabled?: boolean; expiresAfterDays?: number | null }

export function Buy() {
  const s = useSession();
  const [catalog, setCatalog] = useState<{ packs: Item[]; plans: Item[] } | null>(null);
  const [wallet, setWallet] = useState<CreditHistoryReply | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const read = async (kind: string) => (await getDocs(collection(s.db, kind))).docs.map((d) => ({ id: d.id, ...d.data() }) as Item).filter((i) => i.enabled !== false && i.stripePriceId);
    Promise.all([read("packs"), read("plans")]).then(([packs, plans]) => setCatalog({ packs: packs.sort((a, b) => (a.credits ?? 0) - (b.credits ?? 0)), plans: plans.sort((a, b) => (a.monthlyCredits ?? 0) - (b.monthlyCredits ?? 0)) }), setError);
    s.api.get<CreditHistoryReply>("getUserCredits", { limit: 1 }).then(setWallet, setError);
  }, [s.user.uid]);
  const go = (name: string, body: unknown) => async () => {
    setError(null);
    try {
      location.assign((await s.api.post<{ url: string }>(name, body)).url);
    } catch (err) {
      setError(err);
    }
  };
  const back = new URLSearchParams(location.search);
  return (
    <section>
      <h1>Buy credits</h1>
      {back.get("checkout") === "success" && <p class="notice" data-testid="checkout-done">Payment received: the credits appear as soon as the payment is confirmed.</p>}
      {back.get("checkout") === "cancel" && <p class="notice">Checkout cancelled: nothing was charged.</p>}
      <ErrorBox error={error} />
      {!catalog || !wallet ? <Loading /> : <>
        <div class="card" data-testid="current-plan">
          <h2>Your plan</h2>
          <p><strong>{wallet.plan.id}</strong> ({wallet.plan.status}){wallet.plan.periodEnd && <> · {wallet.plan.status === "cancelling" ? "ends" : "renews"} {when(wallet.plan.periodEnd)}</>}</p>
          {wallet.plan.id !== "free" && <button data-testid="manage-plan" onClick={go("createPortalSession", {})}>Change or cancel plan</button>}
        </div>
        <h2>Packs</h2>
        <ul class="cards" style={{ listStyle: "none", padding: 0 }} data-testid="packs">{catalog.packs.map((p) => (
          <li class="card"><strong>{p.displayName}</strong><p>{p.credits} credits{p.expiresAfterDays ? `, valid ${p.expiresAfterDays} days` : ", never expire"}</p>
            <button data-pack={p.id} onClick={go("createCheckoutSession", { packId: p.id })}>Buy</button></li>
        ))}</ul>
        <h2>Plans</h2>
        <ul class="cards" style={{ listStyle: "none", padding: 0 }} data-testid="plans">{catalog.plans.map((p) => (
          <li class="card"><strong>{p.displayName}</strong><p>{p.monthlyCredits} credits a month</p>
            {wallet.plan.id === p.id ? <span class="badge">current</span> : <button data-plan={p.id} onClick={go("createCheckoutSession", { planId: p.id })}>Subscribe</button>}</li>
        ))}</ul>
        <h2>Your credit grants</h2>
        <table data-testid="grants"><thead><tr><th>Source</th><th>Remaining</th><th>Expires</th></tr></thead>
          <tbody>{wallet.grants.map((g) => <tr><td>{g.source}</td><td>{g.remaining}</td><td>{g.expiresAt ? when(g.expiresAt) : "never"}</td></tr>)}</tbody></table>
      </>}
    </section>
  );
}
