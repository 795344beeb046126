/** The one source of time. Production uses the system clock; tests pin and advance it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const iso = (epochMs: number): string => new Date(epochMs).toISOString();
