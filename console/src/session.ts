// Who is signed in and with which role (the token's `role` claim: the same one the API checks).
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { User } from "firebase/auth";
import type { Api } from "./api";
import type { Services } from "./firebase";

export type Role = "user" | "admin" | "superadmin";

export interface Session extends Services {
  api: Api;
  user: User;
  role: Role;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside a signed-in page");
  return s;
}

export const isAdmin = (role: Role) => role === "admin" || role === "superadmin";
