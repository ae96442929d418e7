import { oidcAuth, sharedSecretAuth } from "../src/auth/authenticator";

describe("task push authentication", () => {
  it("accepts only the exact shared secret in X-Runner-Token", async () => {
    const auth = sharedSecretAuth("dev-runner-secret");
    expect(await auth({ "x-runner-token": "dev-runner-secret" })).toBe("shared-secret");
    expect(await auth({ "x-runner-token": "dev-runner-secre" })).toBeNull();
    expect(await auth({ "x-runner-token": "dev-runner-secret " })).toBeNull();
    expect(await auth({})).toBeNull();
    expect(await auth({ authorization: "Bearer dev-runner-secret" })).toBeNull();
  });

  it("verifies the OIDC bearer for the audience and the expected service account", async () => {
    const seen: [string, string][] = [];
    const verify = async (token: string, audience: string) => {
      seen.push([token, audience]);
      if (token === "bad") throw new Error("invalid signature");
      return { email: token === "good" ? "tasks@p.iam.gserviceaccount.com" : "other@p.iam.gserviceaccount.com", email_verified: true };
    };
    const auth = oidcAuth("https://runner.example.com", "tasks@p.iam.gserviceaccount.com", verify);
    expect(await auth({ authorization: "Bearer good" })).toBe("oidc:tasks@p.iam.gserviceaccount.com");
    expect(await auth({ authorization: "Bearer other" })).toBeNull();
    expect(await auth({ authorization: "Bearer bad" })).toBeNull();
    expect(await auth({ authorization: "Basic good" })).toBeNull();
    expect(await auth({ "x-runner-token": "dev-runner-secret" })).toBeNull();
    expect(seen).toEqual([["good", "https://runner.example.com"], ["other", "https://runner.example.com"], ["bad", "https://runner.example.com"]]);
  });
});
