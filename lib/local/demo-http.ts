/** The demo's HTTP side: one client for the running livedrop, and a bound on the requests in flight. */

export interface Answer {
  status: number;
  body: unknown;
  ms: number;
}

export const errorCode = (body: unknown): string | undefined => {
  const error = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === 'string' ? error.code : undefined;
};

export const describeAnswer = (step: string, answer: Answer): string =>
  `${step}: ${answer.status} ${errorCode(answer.body) ?? ''}`.trimEnd();

export class Client {
  constructor(private readonly url: string) {}

  async call(method: string, path: string, init: { token?: string; body?: unknown } = {}): Promise<Answer> {
    const started = performance.now();
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: keep the text, the caller reports it as unexpected.
    }
    return { status: response.status, body, ms: performance.now() - started };
  }

  /** The call, or an error naming the step when the answer is not `expected`. */
  async expect<T>(
    expected: number,
    step: string,
    method: string,
    path: string,
    init?: { token?: string; body?: unknown },
  ): Promise<T> {
    const answer = await this.call(method, path, init);
    if (answer.status !== expected) {
      throw new Error(
        `${describeAnswer(step, answer)} (expected ${expected}): ${JSON.stringify(answer.body)}`,
      );
    }
    return answer.body as T;
  }
}

/** Runs `work` over `items` with at most `limit` calls in flight, in order of index. */
export const forEachBounded = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
};
