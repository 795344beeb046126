import type { EventPublisher, SchedulerPort, Seam } from '../../functions/shared/domain/ports.js';
import type { StorePort } from '../../functions/shared/domain/store-port.js';

/** What a test seam throws to stand for a container dying right after a write. */
export class InjectedCrash extends Error {
  constructor(readonly step: string) {
    super(`injected crash after ${step}`);
    this.name = 'InjectedCrash';
  }
}

/**
 * A container that can die. The seam the test passes in runs after each write; once it throws, the
 * container is dead: every later store, event or scheduler call from it fails, and the operation in flight
 * rejects with the crash even if the engine caught it and carried on (a dead process answers nothing).
 * The engine itself knows nothing of crashes: it only calls its seam, as production (with none) does.
 */
export class Mortal {
  private death: unknown;

  constructor(private readonly seamOfTest: Seam) {}

  get dead(): boolean {
    return this.death !== undefined;
  }

  readonly seam: Seam = (step) => {
    this.check();
    try {
      this.seamOfTest(step);
    } catch (error) {
      this.death = error;
      throw error;
    }
  };

  private check(): void {
    if (this.death !== undefined) throw this.death;
  }

  /** `port` with every method failing once the container is dead. */
  wrap<T extends StorePort | EventPublisher | SchedulerPort>(port: T): T {
    return new Proxy(port, {
      get: (target, name, receiver) => {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          this.check();
          return value.apply(target, args);
        };
      },
    });
  }

  /** `engine` whose calls reject with the crash once the container died during them. */
  engine<T extends object>(engine: T): T {
    return new Proxy(engine, {
      get: (target, name, receiver) => {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          this.check();
          try {
            const result = await value.apply(target, args);
            this.check();
            return result;
          } catch (error) {
            this.check();
            throw error;
          }
        };
      },
    });
  }
}
