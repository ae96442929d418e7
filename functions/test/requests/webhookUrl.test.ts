import { checkWebhookUrl, isInternalHost } from "../../src/requests/webhookUrl";

describe("checkWebhookUrl", () => {
  it("accepts public https URLs everywhere and loopback http only in the emulator", () => {
    expect(() => checkWebhookUrl("https://hooks.example.com/imagegen", false)).not.toThrow();
    expect(() => checkWebhookUrl("http://127.0.0.1:9000/hook", true)).not.toThrow();
    expect(() => checkWebhookUrl("http://127.0.0.1:9000/hook", false)).toThrow(/https/);
    expect(() => checkWebhookUrl("http://example.com/hook", true)).toThrow(/https/);
    expect(() => checkWebhookUrl("ftp://example.com/hook", false)).toThrow(/https/);
  });

  it.each([
    "https://localhost/x", "https://127.0.0.1/x", "https://10.1.2.3/x", "https://172.20.0.1/x", "https://192.168.1.10/x",
    "https://169.254.169.254/computeMetadata/v1/", "https://metadata.google.internal/x", "https://[::1]/x", "https://[fd00::1]/x",
    "https://[::ffff:127.0.0.1]/x", "https://100.64.0.1/x",
  ])("refuses %s when deployed", (url) => {
    expect(() => checkWebhookUrl(url, false)).toThrow(/public host/);
  });

  it("does not flag public addresses", () => {
    for (const h of ["8.8.8.8", "172.32.0.1", "192.169.0.1", "hooks.example.com", "2001:db8::1"]) expect(isInternalHost(h)).toBe(false);
  });
});
