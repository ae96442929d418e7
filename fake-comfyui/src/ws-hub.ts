import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";

/** Sockets by clientId, with ComfyUI's routing: prompt events only to the prompt's client. */
export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Map<string, WebSocket>();
  /** clientIds whose upgrades are refused (wsDrop fault). */
  readonly blocked = new Set<string>();
  dropped = 0;
  /**
   * Real ComfyUI's socket replacement (server.py websocket_handler): a new socket with the same
   * clientId replaces the old one in the table without closing it, and when the old one ends
   * its cleanup pops the clientId, unregistering the new socket: events then go nowhere.
   * Off (the default), the fake closes the old socket and keeps the new one.
   */
  realReplacement = false;

  constructor(private readonly onConnect: (sid: string) => void) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://x");
    const sid = url.searchParams.get("clientId") || randomBytes(16).toString("hex");
    if (this.blocked.has(sid)) return void socket.destroy();
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (!this.realReplacement) this.sockets.get(sid)?.terminate();
      this.sockets.set(sid, ws);
      ws.on("close", () => {
        if (this.realReplacement || this.sockets.get(sid) === ws) this.sockets.delete(sid);
      });
      ws.on("error", () => undefined);
      this.onConnect(sid);
    });
  }

  send(sid: string | null | undefined, type: string, data: unknown): void {
    if (!sid) return;
    const ws = this.sockets.get(sid);
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type, data }));
  }

  /** A binary frame (server.py send_bytes: 4-byte big-endian event type, then the payload). */
  sendBinary(sid: string | null | undefined, frame: Buffer): void {
    if (!sid) return;
    const ws = this.sockets.get(sid);
    if (ws?.readyState === WebSocket.OPEN) ws.send(frame, { binary: true });
  }

  broadcast(type: string, data: unknown): void {
    for (const ws of this.sockets.values()) if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type, data }));
  }

  drop(sid: string): void {
    const ws = this.sockets.get(sid);
    if (!ws) return;
    this.dropped++;
    ws.terminate();
    this.sockets.delete(sid);
  }

  dropAll(): void {
    for (const sid of [...this.sockets.keys()]) this.drop(sid);
  }

  close(): void {
    this.dropAll();
    this.wss.close();
  }
}
