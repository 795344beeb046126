/**
 * The fuzz tests' raw HTTP client: node:http, so paths, headers and bodies go out byte for byte (unlike
 * fetch), and one line per request a human can replay.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface FuzzRequest {
  method: string;
  /** The request-target exactly as sent (path and query): bytes 0x21-0xFF, already percent-encoded. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Sent chunked (no content-length). */
  chunked?: boolean;
  /** What makes it invalid, for the report. */
  breaks: string[];
  /** Which token the authorization header carries, for the report (tokens are long and opaque). */
  authLabel: string;
}

export interface FuzzReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** No answer at all: a transport error or a timeout. */
  failure?: string;
  ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 2 });

/** One request over node:http; never rejects (no answer is a reply with `failure`). */
export const send = (port: number, request: FuzzRequest, timeoutMs: number): Promise<FuzzReply> => {
  const started = performance.now();
  const attempt = (retry: boolean): Promise<FuzzReply> =>
    new Promise((resolve) => {
      const headers: Record<string, string> = { ...request.headers };
      // Framed explicitly: Node sends a GET or DELETE body written without either header unframed.
      if (request.body !== undefined) {
        if (request.chunked) headers['transfer-encoding'] = 'chunked';
        else headers['content-length'] = String(request.body.length);
      }
      let settled = false;
      const done = (reply: Omit<FuzzReply, 'ms'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...reply, ms: Math.round(performance.now() - started) });
      };
      let req: ReturnType<typeof httpRequest>;
      try {
        req = httpRequest(
          { host: '127.0.0.1', port, method: request.method, path: request.target, headers, agent },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              done({
                status: res.statusCode ?? 0,
                headers: res.headers,
                text: Buffer.concat(chunks).toString(),
              }),
            );
            res.on('error', (error) =>
              done({ status: 0, headers: {}, text: '', failure: `response: ${String(error)}` }),
            );
          },
        );
      } catch (error) {
        // The generator produced something node:http refuses to send: a bug of this test, not of livedrop.
        throw new Error(`unsendable request ${describeRequest(request)}: ${String(error)}`);
      }
      req.setTimeout(timeoutMs, () => {
        req.destroy(new Error(`no answer within ${timeoutMs} ms`));
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        // A kept-alive socket the server closed meanwhile: try once on a fresh one, as Node's docs advise.
        if (retry && req.reusedSocket && error.code === 'ECONNRESET') {
          settled = true;
          resolve(attempt(false));
          return;
        }
        done({ status: 0, headers: {}, text: '', failure: String(error) });
      });
      if (request.body !== undefined && request.body.length > 0) req.write(request.body);
      req.end();
    });
  return attempt(true);
};

/** One line a human can replay: method, target, headers (token by label), body (long ones cut). */
export const describeRequest = (request: FuzzRequest): string => {
  const headers = Object.entries(request.headers).map(([name, value]) =>
    name === 'authorization'
      ? `${name}: ${request.authLabel}`
      : `${name}: ${JSON.stringify(cut(value, 120))}`,
  );
  const body =
    request.body === undefined
      ? ''
      : ` body(${request.body.length} bytes${request.chunked ? ', chunked' : ''}): ${JSON.stringify(
          cut(request.body.toString('latin1'), 400),
        )}`;
  return `${request.method} ${cut(request.target, 300)} [${headers.join('; ')}]${body}`;
};

export const cut = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
