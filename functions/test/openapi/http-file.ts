// A reader and runner for api.http with VS Code REST Client's semantics (file variables,
// `# @name` request variables read with `$.json.path`, `{{$timestamp}}`, the body being every
// line after the blank line), so a test can send the file exactly as that client would.
import http from "node:http";
export interface HttpRequestBlock {
  title: string;
  name?: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpFile {
  variables: Record<string, string>;
  requests: HttpRequestBlock[];
}

export function parseHttpFile(text: string): HttpFile {
  const [head, ...blocks] = text.split(/^###/m);
  const variables: Record<string, string> = {};
  for (const line of head.split("\n")) {
    const m = /^@([\w-]+)\s*=\s*(.*)$/.exec(line.trim());
    if (m) variables[m[1]] = m[2];
  }
  return { variables, requests: blocks.map(parseBlock) };
}

function parseBlock(block: string): HttpRequestBlock {
  const lines = block.split("\n");
  const title = lines.shift()!.trim();
  let name: string | undefined;
  while (lines.length && (lines[0].trim() === "" || /^(#|\/\/)/.test(lines[0].trim()))) {
    const m = /^#\s*@name\s+(\S+)/.exec(lines.shift()!.trim());
    if (m) name = m[1];
  }
  const [method, url] = lines.shift()!.trim().split(/\s+/);
  const headers: Record<string, string> = {};
  while (lines.length && lines[0].trim() !== "") {
    const line = lines.shift()!;
    const i = line.indexOf(":");
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = lines.join("\n").trim();
  return { title, name, method, url, headers, ...(body ? { body } : {}) };
}

/** Resolves {{...}} against file variables (which may refer to others) and earlier named responses. */
export function resolve(text: string, vars: Record<string, string>, responses: Record<string, unknown>, depth = 0): string {
  if (depth > 10) throw new Error(`variables nest too deep in: ${text}`);
  return text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_m, ref: string) => {
    if (ref === "$timestamp") return String(Math.floor(Date.now() / 1000));
    const named = /^([\w-]+)\.response\.body\.\$(.*)$/.exec(ref);
    if (named) {
      if (!(named[1] in responses)) throw new Error(`{{${ref}}}: request '${named[1]}' has not been sent yet`);
      return String(jsonPath(responses[named[1]], named[2]));
    }
    if (!(ref in vars)) throw new Error(`{{${ref}}} is not defined`);
    return resolve(vars[ref], vars, responses, depth + 1);
  });
}

function jsonPath(value: unknown, path: string): unknown {
  let v: any = value;
  for (const part of path.match(/\.[\w-]+|\[\d+\]/g) ?? []) v = v?.[part.startsWith("[") ? Number(part.slice(1, -1)) : part.slice(1)];
  if (v === undefined) throw new Error(`$${path} not found in the response`);
  return v;
}

/** Sends like REST Client does (node http: a GET may carry a body, which fetch refuses). */
export function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolveSend, reject) => {
    const req = http.request(url, { method, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // non-JSON answers are kept as text
        }
        resolveSend({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}
