import WebSocket from "ws";
import type { Logger } from "../log";
import type { WsMessage } from "./types";

/**
 * ComfyUI's `/ws?clientId=` with reconnects under the same clientId (ComfyUI then re-sends the
 * running node). Events missed while disconnected are lost, which is why the caller also polls
 * /history. Binary frames (previews) go to `onBinary`, when given.
 */
export class EventSocket {
  private ws: WebSocket | null = null;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  reconnects = 0;

  constructor(
    private readonly baseUrl: string,
    readonly clientId: string,
    private readonly onMessage: (msg: WsMessage) => void,
    private readonly log: Logger,
    private readonly reconnectMs: number,
    private readonly onBinary?: (frame: Buffer) => void,
  ) {}

  private url(): string {
    const u = new URL(`/ws?clientId=${encodeURIComponent(this.clientId)}`, this.baseUrl);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return u.toString();
  }

  /**
   * Resolves true once open, false if the first attempt fails or takes over `waitMs`; reconnects
   * keep going in the background and polling covers a socket that never opens.
   */
  open(waitMs = 3000): Promise<boolean> {
    return new Promise((resolve) => {
      const settle = (ok: boolean) => {
        clearTimeout(give);
        resolve(ok);
      };
      const give = setTimeout(() => settle(false), waitMs);
      this.connect(settle);
    });
  }

  private connect(settle?: (ok: boolean) => void): void {
    if (this.closed) return;
    const ws = new WebSocket(this.url(), { handshakeTimeout: 5000 });
    this.ws = ws;
    ws.on("open", () => settle?.(true));
    ws.on("message", (raw, isBinary) => {
      if (isBinary) {
        if (Buffer.isBuffer(raw)) this.onBinary?.(raw);
        return;
      }
      try {
        this.onMessage(JSON.parse(raw.toString()) as WsMessage);
      } catch {
        this.log.debug("comfy.ws.unparsable");
      }
    });
    ws.on("error", (e) => this.log.debug("comfy.ws.error", { error: e.message }));
    ws.on("close", () => {
      settle?.(false);
      if (this.closed || this.ws !== ws) return;
      this.reconnects++;
      this.log.warn("comfy.ws.dropped", { clientId: this.clientId, reconnects: this.reconnects });
      this.timer = setTimeout(() => this.connect(), this.reconnectMs);
    });
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.removeAllListeners("close");
    this.ws?.on("error", () => undefined);
    this.ws?.terminate();
  }
}
