/** The one source of time. Production uses the system clock; tests pin and advance it. */
export interface Clock {
  now(): number;
  /** Waits `ms` of this clock's time; the system's timers when absent (a simulated clock brings its own). */
  sleep?(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };

export const iso = (epochMs: number): string => new Date(epochMs).toISOString();
