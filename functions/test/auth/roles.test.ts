import { authorize, type Caller } from "../../src/auth/caller";
import { checkRoleChange, hasRole, roleOf } from "../../src/auth/roles";

const codeOf = (fn: () => void) => {
  try {
    fn();
    return "ok";
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe("roles", () => {
  it("reads unknown or missing claims as user", () => {
    expect(roleOf("superadmin")).toBe("superadmin");
    expect(roleOf("admin")).toBe("admin");
    expect(roleOf("root")).toBe("user");
    expect(roleOf(undefined)).toBe("user");
    expect(hasRole("superadmin", "admin")).toBe(true);
    expect(hasRole("admin", "superadmin")).toBe(false);
    expect(hasRole("user", "user")).toBe(true);
  });

  it("lets only a superadmin change roles, never their own", () => {
    const target = { uid: "u1", from: "user" as const, to: "admin" as const };
    expect(codeOf(() => checkRoleChange({ uid: "s1", role: "superadmin" }, target))).toBe("ok");
    expect(codeOf(() => checkRoleChange({ uid: "a1", role: "admin" }, target))).toBe("PERMISSION_DENIED");
    expect(codeOf(() => checkRoleChange({ uid: "a1", role: "admin" }, { uid: "u1", from: "admin", to: "user" }))).toBe("PERMISSION_DENIED");
    expect(codeOf(() => checkRoleChange({ uid: "s1", role: "superadmin" }, { uid: "s1", from: "superadmin", to: "user" }))).toBe("FAILED_PRECONDITION");
  });
});

describe("authorize", () => {
  const token = (role: Caller["role"]): Caller => ({ uid: "u", role, via: "id-token" });
  const key = (scopes: ("generate" | "read")[]): Caller => ({ uid: "u", role: "user", via: "api-key", key: { keyId: "k", scopes } });

  it("checks the least role for ID tokens", () => {
    expect(codeOf(() => authorize(token("user"), "user", "read"))).toBe("ok");
    expect(codeOf(() => authorize(token("user"), "admin", undefined))).toBe("PERMISSION_DENIED");
    expect(codeOf(() => authorize(token("admin"), "admin", undefined))).toBe("ok");
    expect(codeOf(() => authorize(token("admin"), "superadmin", undefined))).toBe("PERMISSION_DENIED");
    expect(codeOf(() => authorize(token("superadmin"), "admin", undefined))).toBe("ok");
  });

  it("checks scopes for API keys and keeps them off admin endpoints", () => {
    expect(codeOf(() => authorize(key(["read"]), "user", "read"))).toBe("ok");
    expect(codeOf(() => authorize(key(["read"]), "user", "generate"))).toBe("INSUFFICIENT_SCOPE");
    expect(codeOf(() => authorize(key(["generate"]), "user", "read"))).toBe("INSUFFICIENT_SCOPE");
    expect(codeOf(() => authorize(key(["generate", "read"]), "user", undefined))).toBe("INSUFFICIENT_SCOPE");
    expect(codeOf(() => authorize(key(["generate", "read"]), "admin", undefined))).toBe("PERMISSION_DENIED");
  });
});
