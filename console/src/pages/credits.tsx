import type { CreditHistoryReply } from "../../../functions/src/ledger/schema";
import { useSession } from "../session";
import { Ledger } from "./ledger";

export function Credits() {
  const s = useSession();
  return (
    <section>
      <h1>Credits</h1>
      <Ledger load={(cursor) => s.api.get<CreditHistoryReply>("getUserCredits", { cursor, limit: 20 })} />
    </section>
  );
}
