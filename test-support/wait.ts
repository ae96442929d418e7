/** Polls `probe` until it returns a value; throws naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000, everyMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Auth revokes tokens in whole seconds: a token issued in the revocation's own second survives it.
 * Resolves once the second after `idToken`'s issue time has begun (read from the token, not guessed).
 */
export async function afterIssueSecond(idToken: string): Promise<void> {
  const iat = JSON.parse(Buffer.from(idToken.split(".")[1], "base64url").toString()).iat as number;
  await until("the second after the token's issue", async () => (Date.now() >= (iat + 1) * 1000 + 50 ? true : undefined), 5_000, 50);
}
