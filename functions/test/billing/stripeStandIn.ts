// A small local stand-in for Stripe's API (test code only; no network here): records each call
// the functions' Stripe client makes and answers in Stripe's shape. scripts/test.mjs points the
// functions at it with STRIPE_API_BASE (port 12111 + IMAGEGEN_PORT_OFFSET).
import http from "node:http";

export interface RecordedCall {
  method: string;
  path: string;
  form: Record<string, string>;
  headers: http.IncomingHttpHeaders;
}

export const standInPort = () => 12111 + Number(process.env.IMAGEGEN_PORT_OFFSET || 0);

export async function startStripeStandIn(): Promise<{ calls: RecordedCall[]; close: () => Promise<void> }> {
  const calls: RecordedCall[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      calls.push({ method: req.method ?? "", path: req.url ?? "", form, headers: req.headers });
      res.setHeader("content-type", "application/json");
      res.setHeader("request-id", `req_standin_${++n}`);
      if (req.method === "POST" && req.url === "/v1/checkout/sessions") {
        const id = `cs_test_standin_${n}`;
        res.end(JSON.stringify({ id, object: "checkout.session", mode: form.mode, url: `https://checkout.stripe.com/c/pay/${id}`, client_reference_id: form.client_reference_id }));
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { type: "invalid_request_error", message: `stand-in has no ${req.method} ${req.url}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(standInPort(), "127.0.0.1", resolve));
  return { calls, close: () => new Promise((r) => server.close(() => r())) };
}
