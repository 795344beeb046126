/**
 * What each deployed bundle carries, read from esbuild's metafile of the very build the stack runs: the AWS
 * clients its wiring declares and no other, and only the use cases it serves (a handler binds its own use
 * cases; the Engine facade, which imports every one, is for tests and tools). Bundle size is a cold start's
 * import time, and the claim's cold start is part of a viewer's wait.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../functions/shared/contract/wiring.js';
import { bundleOptions } from '../../../lib/bench/cold-start.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Each function's bundled inputs (repository-relative paths), from one build of every handler. */
let inputsOf: Map<string, string[]>;
beforeAll(async () => {
  const result = await build({
    ...bundleOptions(),
    sourcemap: false,
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(FUNCTIONS.map((fn) => [fn.name, `functions/${fn.name}/handler.ts`])),
    outdir: 'out',
    write: false,
    metafile: true,
  });
  inputsOf = new Map(
    Object.values(result.metafile.outputs).flatMap((output) =>
      output.entryPoint === undefined
        ? []
        : [[output.entryPoint.split('/')[1] as string, Object.keys(output.inputs)] as const],
    ),
  );
}, 60_000);

const carries = (name: string, path: string) =>
  (inputsOf.get(name) ?? []).some((input) => input.includes(path));

describe('each function’s bundle', () => {
  it('is built for every function of the wiring', () => {
    expect([...inputsOf.keys()].sort()).toStrictEqual(FUNCTIONS.map((fn) => fn.name).sort());
  });

  it.each(FUNCTIONS.map((declaration) => [declaration.name, declaration] as const))(
    '%s carries the AWS clients its wiring declares, no other, and not the Engine facade',
    (name, declaration) => {
      expect(carries(name, 'node_modules/@aws-sdk/client-dynamodb/'), 'DynamoDB').toBe(true);
      expect(carries(name, 'node_modules/@aws-sdk/client-eventbridge/'), 'EventBridge').toBe(
        declaration.publishes === true,
      );
      expect(carries(name, 'node_modules/@aws-sdk/client-scheduler/'), 'Scheduler').toBe(
        (declaration.scheduling?.length ?? 0) > 0,
      );
      expect(carries(name, 'node_modules/@aws-sdk/client-ivs/'), 'IVS').toBe(
        declaration.putsMetadata === true,
      );
      expect(carries(name, 'functions/shared/use-cases/engine.ts'), 'Engine facade').toBe(false);
    },
  );

  it('of the claim carries the claim and what it calls, not the host’s, the sweep’s or the gala’s use cases', () => {
    expect(carries('claim-coupon', 'functions/shared/use-cases/claim.ts')).toBe(true);
    for (const other of [
      'cue',
      'create-deal',
      'sweep',
      'price-drops',
      'apply-price-drop',
      'stream-live',
      'audit-trail',
    ]) {
      expect(carries('claim-coupon', `functions/shared/use-cases/${other}.ts`), other).toBe(false);
    }
  });
});
