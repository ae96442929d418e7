import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { OAuth2Client } from "google-auth-library";
import type { Config } from "../config";

/** Resolves to a caller description when the push is authentic, null otherwise. */
export type Authenticator = (headers: IncomingHttpHeaders) => Promise<string | null>;

const header = (h: IncomingHttpHeaders, name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Dev: `X-Runner-Token`. Hashing first gives equal lengths, so the compare is constant-time. */
export function sharedSecretAuth(secret: string): Authenticator {
  const expected = createHash("sha256").update(secret).digest();
  return async (headers) => {
    const token = header(headers, "x-runner-token");
    if (!token) return null;
    return timingSafeEqual(createHash("sha256").update(token).digest(), expected) ? "shared-secret" : null;
  };
}

export interface IdTokenClaims { email?: string; email_verified?: boolean; aud?: string }
export type IdTokenVerifier = (token: string, audience: string) => Promise<IdTokenClaims>;

const googleVerifier = (): IdTokenVerifier => {
  const client = new OAuth2Client();
  return async (idToken, audience) => (await client.verifyIdToken({ idToken, audience })).getPayload() ?? {};
};

/**
 * Production: a Google-signed OIDC token for our audience AND from the one service account Cloud
 * Tasks signs with. Any Google account can mint a token for any audience, so the email is the check.
 */
export function oidcAuth(audience: string, serviceAccount: string, verify: IdTokenVerifier = googleVerifier()): Authenticator {
  return async (headers) => {
    const m = /^Bearer\s+(\S+)$/i.exec(header(headers, "authorization") ?? "");
    if (!m) return null;
    try {
      const claims = await verify(m[1], audience);
      if (claims.email !== serviceAccount || claims.email_verified !== true) return null;
      return `oidc:${claims.email}`;
    } catch {
      return null;
    }
  };
}

export function createAuthenticator(config: Config, verify?: IdTokenVerifier): Authenticator {
  return config.RUNNER_AUTH_MODE === "oidc"
    ? oidcAuth(config.OIDC_AUDIENCE!, config.OIDC_SERVICE_ACCOUNT!, verify)
    : sharedSecretAuth(config.RUNNER_SHARED_SECRET);
}
