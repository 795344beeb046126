/**
 * cdk-nag 3 runs as a CDK validation plugin: `app.synth()` evaluates it, writes validation-report.json into
 * the cloud assembly (violations and, separately, the acknowledged ones) and throws when any violation is
 * left (under vitest, NODE_ENV=test makes CDK treat the app as in-memory: the error message is the report). Here the app is built the way bin/app.ts builds it, and the report is read back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, type IApplyRule } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/shared/contract/wiring.js';
import { LivedropStack } from '../../lib/cdk/livedrop-stack.js';
import {
  acknowledgeNagFindings,
  engineNagAcknowledgements,
  liveCdnNagAcknowledgements,
} from '../../lib/cdk/nag.js';
import { AUDIENCE, ISSUER, NO_BUNDLING } from './support.js';

interface ReportedViolation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
  acknowledgedId?: string;
  reason?: string;
  acknowledgedAt?: string;
}

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: 'success' | 'failure';
    violations: ReportedViolation[];
    suppressedViolations?: ReportedViolation[];
  }[];
}

interface NagRun {
  /** What `app.synth()` threw, if anything. */
  error?: Error;
  report: ValidationReport;
  stack: LivedropStack;
}

const outdirs: string[] = [];

/**
 * bin/app.ts, with bundling skipped and an outdir to read the report from. `change` may add to the stack
 * before synth, as a later edit would.
 */
const synthWithNag = (options: { acknowledge: boolean; change?: (stack: LivedropStack) => void }): NagRun => {
  const outdir = mkdtempSync(join(tmpdir(), 'livedrop-nag-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: NO_BUNDLING });
  const stack = new LivedropStack(app, 'Livedrop', { issuer: ISSUER, audience: AUDIENCE });
  options.change?.(stack);
  if (options.acknowledge) acknowledgeNagFindings(stack.engine);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let error: Error | undefined;
  try {
    app.synth();
  } catch (thrown) {
    error = thrown as Error;
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  return { ...(error === undefined ? {} : { error }), report, stack };
};

const nagReport = (run: NagRun) => {
  const found = run.report.pluginReports.find(({ pluginName }) => pluginName === 'AwsSolutions');
  if (found === undefined) throw new Error('cdk-nag did not report: was the plugin registered?');
  return found;
};

const findingIds = (violations: readonly ReportedViolation[]) =>
  violations.map(({ ruleName }) => `AwsSolutions::${ruleName}`).sort();

/** Built without synth: the ids name logical ids, which depend only on where the engine sits in its stack. */
const NAG_ACKNOWLEDGEMENTS = engineNagAcknowledgements(
  new LivedropStack(new App({ context: NO_BUNDLING }), 'Livedrop', { issuer: ISSUER, audience: AUDIENCE })
    .engine,
);

/** The live view's distribution is on by default, so bin/app.ts's stack has its findings too. */
const LIVE_CDN_ACKNOWLEDGEMENTS = liveCdnNagAcknowledgements();

const ACKNOWLEDGEMENTS = Object.entries({ ...NAG_ACKNOWLEDGEMENTS, ...LIVE_CDN_ACKNOWLEDGEMENTS }).map(
  ([key, { id, reason }]) => ({ key, id, reason }),
);

/**
 * The AwsSolutions rules that report one finding per wildcard, policy or log export (IAM5[Resource::*] ...),
 * read from the installed cdk-nag rather than listed by hand: every rule is applied to any resource, and
 * the granular ones say so in their explanation.
 */
const granularRules = (): Set<string> => {
  const granular = new Set<string>();
  class Recorder extends AwsSolutionsChecks {
    protected override applyRule(params: IApplyRule): void {
      if (params.explanation.includes('granular rule')) {
        granular.add(`AwsSolutions-${params.ruleSuffixOverride ?? params.rule.name}`);
      }
    }
  }
  const stack = new Stack();
  new Recorder().validateScope(new CfnQueue(stack, 'AnyResource') as CfnResource);
  return granular;
};

let acknowledged: NagRun;
let unacknowledged: NagRun;

beforeAll(() => {
  acknowledged = synthWithNag({ acknowledge: true });
  unacknowledged = synthWithNag({ acknowledge: false });
});

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('cdk-nag AwsSolutions on the app as bin/app.ts builds it', () => {
  it('synthesises without a single unacknowledged finding', () => {
    expect(acknowledged.error).toBeUndefined();
    expect(nagReport(acknowledged).violations).toStrictEqual([]);
    expect(nagReport(acknowledged).conclusion).toBe('success');
  });

  it('leaves no violation from any other validation plugin either', () => {
    for (const plugin of acknowledged.report.pluginReports) {
      expect(plugin.violations, plugin.pluginName).toStrictEqual([]);
    }
  });

  it('uses every acknowledgement on a real finding, with the reason given in engineNagAcknowledgements (none is stale)', () => {
    const suppressed = nagReport(acknowledged).suppressedViolations ?? [];
    // One acknowledgement may cover the same finding on several constructs (each scheduling function's role).
    const used = new Map(
      suppressed.map(({ acknowledgedId, reason }) => [
        `${acknowledgedId}\u0000${reason}`,
        { id: acknowledgedId, reason },
      ]),
    );

    expect([...used.values()].sort((a, b) => String(a.id).localeCompare(String(b.id)))).toStrictEqual(
      ACKNOWLEDGEMENTS.map(({ id, reason }) => ({ id, reason })).sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it('acknowledges each finding exactly on the constructs engineNagAcknowledgements means, and nowhere else', () => {
    const suppressed = nagReport(acknowledged).suppressedViolations ?? [];
    const where = (id: string) =>
      suppressed
        .filter(({ acknowledgedId }) => acknowledgedId === id)
        .map(({ acknowledgedAt, violatingConstructs }) => ({
          at: acknowledgedAt,
          constructs: violatingConstructs.map(({ constructPath }) => constructPath),
        }))
        .sort((a, b) => String(a.at).localeCompare(String(b.at)));
    const schedulingRoles = FUNCTIONS.filter(({ scheduling }) => (scheduling ?? []).length > 0)
      .map(({ name }) => {
        const role = acknowledged.stack.engine.functions.get(name)?.node.findChild('Role');
        if (role === undefined) throw new Error(`the stack has no function ${name}`);
        return { at: role.node.path, constructs: [`${role.node.path}/DefaultPolicy/Resource`] };
      })
      .sort((a, b) => a.at.localeCompare(b.at));

    expect(schedulingRoles.map(({ at }) => at)).toStrictEqual([
      'Livedrop/Engine/CancelPriceDrop/Role',
      'Livedrop/Engine/CreatePriceDrop/Role',
    ]);
    expect(where(NAG_ACKNOWLEDGEMENTS.galaDropSchedules.id)).toStrictEqual(schedulingRoles);
    expect(where(NAG_ACKNOWLEDGEMENTS.ivsChannels.id)).toStrictEqual([
      {
        at: 'Livedrop/Engine/LiveMetadata/Role',
        constructs: ['Livedrop/Engine/LiveMetadata/Role/DefaultPolicy/Resource'],
      },
    ]);
    const cdn = acknowledged.stack.engine.liveCdn;
    if (cdn === undefined) throw new Error('the stack has no live CDN');
    const distribution = cdn.distribution.node.path;
    for (const { id } of [
      LIVE_CDN_ACKNOWLEDGEMENTS.geoRestriction,
      LIVE_CDN_ACKNOWLEDGEMENTS.webAcl,
      LIVE_CDN_ACKNOWLEDGEMENTS.defaultCertificateTls,
    ]) {
      expect(where(id), id).toStrictEqual([{ at: distribution, constructs: [`${distribution}/Resource`] }]);
    }
    expect(where(LIVE_CDN_ACKNOWLEDGEMENTS.logBucketAccessLogs.id)).toStrictEqual([
      { at: cdn.logBucket.node.path, constructs: [`${cdn.logBucket.node.path}/Resource`] },
    ]);
    expect(where(NAG_ACKNOWLEDGEMENTS.sweepInvokeVersions.id)).toStrictEqual([
      {
        at: expect.stringMatching(/^Livedrop\/SchedulerRoleForTarget-[0-9a-f]+$/),
        constructs: [
          expect.stringMatching(/^Livedrop\/SchedulerRoleForTarget-[0-9a-f]+\/DefaultPolicy\/Resource$/),
        ],
      },
    ]);
  });
});

describe('each acknowledgement of the engine', () => {
  const granular = granularRules();

  it('the granular rules are known (IAM5 among them), so the next checks mean something', () => {
    expect(granular).toContain('AwsSolutions-IAM5');
    expect(granular).toContain('AwsSolutions-IAM4');
  });

  it.each(ACKNOWLEDGEMENTS)('$key names one exact finding id', ({ id }) => {
    const match = /^AwsSolutions::(AwsSolutions-[A-Z]+\d+)(\[(.+)\])?$/.exec(id);

    expect(match, `${id} is not AwsSolutions::AwsSolutions-XXX[finding]`).not.toBeNull();
    const [, rule, , finding] = match ?? [];
    if (granular.has(rule ?? '')) {
      expect(finding, `${rule} reports one finding per item: acknowledge the exact one`).toBeDefined();
    } else {
      expect(finding, `${rule} has no per-item findings`).toBeUndefined();
    }
  });

  it.each(ACKNOWLEDGEMENTS)('$key gives a reason of substance', ({ reason }) => {
    expect(reason.trim().length).toBeGreaterThan(60);
  });
});

describe('the check can fail', () => {
  it('without the acknowledgements, synth fails on exactly the findings they acknowledge', () => {
    expect(unacknowledged.error).toBeInstanceOf(Error);
    for (const { id } of ACKNOWLEDGEMENTS) {
      expect(unacknowledged.error?.message).toContain(`Acknowledge with '${id}'`);
    }
    expect(nagReport(unacknowledged).conclusion).toBe('failure');
    expect(findingIds(nagReport(unacknowledged).violations)).toStrictEqual(
      ACKNOWLEDGEMENTS.map(({ id }) => id).sort(),
    );
  });

  it('a new wildcard grant fails synth even with the acknowledgements in place', () => {
    const run = synthWithNag({
      acknowledge: true,
      change: (stack) =>
        stack.engine.functions
          .get('get-deal')
          ?.fn.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Scan'], resources: ['*'] })),
    });

    expect(run.error?.message).toContain("Acknowledge with 'AwsSolutions::AwsSolutions-IAM5[Resource::*]'");
    expect(findingIds(nagReport(run).violations)).toStrictEqual([
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    ]);
    expect(
      nagReport(run).violations[0]?.violatingConstructs.map(({ constructPath }) => constructPath),
    ).toEqual([expect.stringMatching(/^Livedrop\/Engine\/GetDeal\//)]);
  });
});
