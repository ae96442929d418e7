// The shell: sign-in gate, navigation by role, live balance in the header, and the routes.
import { useEffect, useMemo, useState } from "preact/hooks";
import { onAuthStateChanged, signOut, type User } from "firebase/auth";
import { doc, onSnapshot } from "firebase/firestore";
import { createApi } from "./api";
import type { Services } from "./firebase";
import { go, useRoute } from "./router";
import { isAdmin, SessionContext, useSession, type Role, type Session } from "./session";
import { Loading } from "./ui";
import { SignIn } from "./pages/signin";
import { Generate } from "./pages/generate";
import { Gallery } from "./pages/gallery";
import { RequestPage } from "./pages/request";
import { Credits } from "./pages/credits";
import { AdminUsers } from "./pages/admin-users";
import { AdminUser } from "./pages/admin-user";
import { AdminAudit } from "./pages/admin-audit";
import { AdminReports } from "./pages/admin-reports";
import { Buy } from "./pages/self/buy";
import { MyKeys } from "./pages/self/keys";
import { Usage } from "./pages/self/usage";
import { Account } from "./pages/self/account";
import { CustomModels } from "./pages/models/custom-models";

export function App({ services }: { services: Services }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [role, setRole] = useState<Role>("user");
  const api = useMemo(() => createApi(services.auth), [services]);
  useEffect(() => onAuthStateChanged(services.auth, async (u) => {
    if (u) setRole(((await u.getIdTokenResult()).claims.role as Role) ?? "user");
    setUser(u);
  }), [services]);
  if (user === undefined) return <Loading what="Starting" />;
  if (!user) return <SignIn auth={services.auth} />;
  return (
    <SessionContext.Provider value={{ ...services, api, user, role }}>
      <Shell />
    </SessionContext.Provider>
  );
}

function Shell() {
  const s = useSession();
  const route = useRoute();
  const [credits, setCredits] = useState<number | null>(null);
  useEffect(() => onSnapshot(doc(s.db, "users", s.user.uid), (d) => setCredits(d.get("credits") ?? 0), () => setCredits(null)), [s.user.uid]);
  const link = (path: string, label: string) => <a href={`#/${path}`} class={route.join("/").startsWith(path) ? "active" : ""}>{label}</a>;
  return (
    <div class="shell">
      <header>
        <strong class="brand">imagegen</strong>
        <nav>
          {link("generate", "Generate")}
          {link("gallery", "Gallery")}
          {link("models", "Custom models")}
          {link("credits", "Credits")}
          {link("buy", "Buy")}
          {link("usage", "Usage")}
          {link("keys", "API keys")}
          {link("account", "Account")}
          {isAdmin(s.role) && <>
            <span class="sep">Admin</span>
            {link("admin/users", "Users")}
            {link("admin/audit", "Audit log")}
            {link("admin/reports", "Reports")}
          </>}
        </nav>
        <span class="who">
          <span data-testid="balance" class="balance">{credits ?? "–"} credits</span>
          <span class="email">{s.user.email} {s.role !== "user" && <span class="badge">{s.role}</span>}</span>
          <a href="/docs/" target="_blank" rel="noopener">API docs</a>
          <button class="link" onClick={() => copyToken(s)}>Copy ID token</button>
          <button class="link" onClick={() => signOutAll(s)}>Sign out</button>
        </span>
      </header>
      <main><Route parts={route} /></main>
    </div>
  );
}

/** Also forgets what /docs (same origin) kept: Swagger UI stored pasted keys under `authorized` before it stopped persisting them. */
async function signOutAll(s: Session) {
  localStorage.removeItem(SWAGGER_AUTHORIZED);
  await signOut(s.auth);
  go("");
}

const SWAGGER_AUTHORIZED = "authorized";

async function copyToken(s: Session) {
  await navigator.clipboard?.writeText(await s.user.getIdToken()).catch(() => undefined);
}

function Route({ parts }: { parts: string[] }) {
  const s = useSession();
  const [first, second, third] = parts;
  if (first === "requests" && second) return <RequestPage id={second} />;
  if (first === "gallery") return <Gallery />;
  if (first === "models") return <CustomModels />;
  if (first === "credits") return <Credits />;
  if (first === "buy") return <Buy />;
  if (first === "usage") return <Usage />;
  if (first === "keys") return <MyKeys />;
  if (first === "account") return <Account />;
  if (first === "admin" && isAdmin(s.role)) {
    if (second === "users" && third) return <AdminUser uid={third} />;
    if (second === "users") return <AdminUsers />;
    if (second === "audit") return <AdminAudit />;
    if (second === "reports") return <AdminReports />;
  }
  return <Generate />;
}
