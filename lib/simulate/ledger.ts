/** What the viewers and the host saw: every answer, kept to compare with the store at the end. */
export interface Grant {
  dealId: string;
  viewerId: string;
  code: string;
  key?: string;
  replayed: boolean;
  /** Simulated instant of the answer. */
  at: number;
}

export interface ServerError {
  dealId: string;
  viewerId: string;
  key?: string;
  throttled: boolean;
  at: number;
}

/** A status cue on one deal: when it was sent and when its answer came back (simulated ms). */
export interface CueAnswer {
  dealId: string;
  action: 'start' | 'pause' | 'resume' | 'end' | 'restock';
  sentAt: number;
  answeredAt: number;
}

export class Ledger {
  readonly grants: Grant[] = [];
  readonly serverErrors: ServerError[] = [];
  readonly refusals = new Map<string, number>();
  readonly cues: CueAnswer[] = [];
  /** Server errors (claims and checkout) by error name and message, to tell throttles from engine faults. */
  readonly errorKinds = new Map<string, number>();
  readonly checkout = { redeemed: 0, released: 0, refused: 0, serverErrors: 0, throttled: 0 };
  claims = 0;
  sweeps = 0;
  sweepErrors = 0;
  /** Claims answered per simulated second, by outcome. */
  readonly perSecond = new Map<
    number,
    { granted: number; refused: number; serverErrors: number; throttled: number }
  >();

  private second(at: number, startedAt: number) {
    const second = Math.floor((at - startedAt) / 1000);
    let point = this.perSecond.get(second);
    if (!point) {
      point = { granted: 0, refused: 0, serverErrors: 0, throttled: 0 };
      this.perSecond.set(second, point);
    }
    return point;
  }

  granted(grant: Grant, startedAt: number): void {
    this.grants.push(grant);
    this.second(grant.at, startedAt).granted++;
  }

  refused(code: string, at: number, startedAt: number): void {
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
    this.second(at, startedAt).refused++;
  }

  /** Counts a server error's kind (its name and message, ids cut out so that alike errors group). */
  errorKind(error: unknown): void {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const kind = text
      .replace(/[0-9A-HJKMNP-TV-Z]{26}/g, '<id>')
      .replace(/\d+/g, 'N')
      .slice(0, 160);
    this.errorKinds.set(kind, (this.errorKinds.get(kind) ?? 0) + 1);
  }

  failed(error: ServerError, startedAt: number): void {
    this.serverErrors.push(error);
    const point = this.second(error.at, startedAt);
    point.serverErrors++;
    if (error.throttled) point.throttled++;
  }

  /** Viewer-visible throttles: claims and checkout calls answered with an error a throttle caused. */
  get visibleThrottles(): number {
    return this.serverErrors.filter((error) => error.throttled).length + this.checkout.throttled;
  }
}
