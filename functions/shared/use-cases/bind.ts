import type { Context } from './context.js';

/** A use case: a function of one container's context and its own arguments. */
export type UseCase = (ctx: Context, ...args: never[]) => unknown;

/** The use cases with their context bound: what a handler calls, method for method as on the Engine. */
export type Bound<T extends Record<string, UseCase>> = {
  [K in keyof T]: T[K] extends (ctx: Context, ...args: infer A) => infer R ? (...args: A) => R : never;
};

/**
 * The engine of one function: only the use cases it serves, bound to its container's context. A Lambda's bundle
 * then carries those modules and nothing else (the Engine class binds every use case, for tests and tools).
 */
export const bindUseCases = <T extends Record<string, UseCase>>(ctx: Context, useCases: T): Bound<T> =>
  Object.fromEntries(
    Object.entries(useCases).map(([name, useCase]) => [name, (...args: never[]) => useCase(ctx, ...args)]),
  ) as Bound<T>;
