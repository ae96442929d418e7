import { checkWebhookUrl } from "../../src/requests/webhookUrl";
import { isInternalHost } from "../../src/webhooks/egress";

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
    // Issue 12 item 11: spellings the textual check let through.
    "https://metadata.google.internal./x", "https://localhost./x", "https://LOCALHOST../x", "https://[::7f00:1]/x",
    "https://[64:ff9b::7f00:1]/x", "https://[64:ff9b::a9fe:a9fe]/x", "https://[fe90::1]/x", "https://[febf::1]/x",
    "https://[2002:7f00:1::]/x", "https://0.0.0.0/x", "https://metadata/computeMetadata/v1/",
  ])("refuses %s when deployed", (url) => {
    expect(() => checkWebhookUrl(url, false)).toThrow(/public host/);
  });

  it("does not flag public addresses", () => {
    for (const h of ["8.8.8.8", "172.32.0.1", "192.169.0.1", "hooks.example.com", "hooks.example.com.", "2606:4700:4700::1111"]) expect(isInternalHost(h)).toBe(false);
  });
});
