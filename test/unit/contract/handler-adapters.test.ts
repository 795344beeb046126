/**
 * Each Lambda's bundle carries only the AWS clients it uses: its handler.ts passes the event publisher
 * exactly when the wiring says the function publishes, the scheduler exactly when it schedules, and the IVS
 * timed-metadata publisher exactly when it puts metadata. The
 * wiring is also what grants the IAM permissions and sets the environment, so the three cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../functions/shared/contract/wiring.js';

const handlerSource = (name: string) =>
  readFileSync(new URL(`../../../functions/${name}/handler.ts`, import.meta.url), 'utf8');

describe('the adapters each handler builds', () => {
  it.each(FUNCTIONS.map((declaration) => [declaration.name, declaration] as const))(
    '%s builds the AWS clients its wiring declares, and no other',
    (_name, declaration) => {
      const source = handlerSource(declaration.name);

      expect(source.includes('runtime-events.js'), 'event publisher').toBe(declaration.publishes === true);
      expect(source.includes('runtime-scheduler.js'), 'scheduler').toBe(
        (declaration.scheduling?.length ?? 0) > 0,
      );
      expect(source.includes('runtime-ivs.js'), 'IVS timed metadata').toBe(declaration.putsMetadata === true);
      expect(source).not.toMatch(/@aws-sdk\/client-(eventbridge|scheduler|ivs)/);
    },
  );
});
