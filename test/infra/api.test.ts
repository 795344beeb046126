/**
 * The HTTP API as the wiring declares it: every route behind the JWT authorizer with exactly its roles' scopes,
 * access logs and throttles on the stage, and the same scopes enforced a second time by each handler.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCancelPriceDropHandler } from '../../functions/cancel-price-drop/app.js';
import { createClaimCouponHandler } from '../../functions/claim-coupon/app.js';
import { createCreateDealHandler } from '../../functions/create-deal/app.js';
import { createCreatePriceDropHandler } from '../../functions/create-price-drop/app.js';
import { createCueDealHandler } from '../../functions/cue-deal/app.js';
import { createGetDealHandler } from '../../functions/get-deal/app.js';
import { createGetDealAuditHandler } from '../../functions/get-deal-audit/app.js';
import { createGetDealLiveHandler } from '../../functions/get-deal-live/app.js';
import { createGetStreamLiveHandler } from '../../functions/get-stream-live/app.js';
import { createListMyCouponsHandler } from '../../functions/list-my-coupons/app.js';
import { createListPriceDropsHandler } from '../../functions/list-price-drops/app.js';
import { createListStreamDealsHandler } from '../../functions/list-stream-deals/app.js';
import { createRedeemCouponHandler } from '../../functions/redeem-coupon/app.js';
import { createReleaseCouponHandler } from '../../functions/release-coupon/app.js';
import { httpRoutes, type Role, scopeOf } from '../../functions/shared/contract/wiring.js';
import { SCOPES } from '../../functions/shared/domain/roles.js';
import type { HttpHandler } from '../../functions/shared/http/http-handler.js';
import type { HandlerDeps } from '../../functions/shared/http/types.js';
import {
  type FakeEngine,
  fakeEngine,
  firstAnswer,
  invoke,
  loadEvent,
  sampleCoupon,
  sampleDeal,
  samplePriceDrop,
  silentLogger,
} from '../unit/http/support.js';
import {
  AUDIENCE,
  arnOf,
  functionIds,
  ISSUER,
  type Json,
  onlyResourceOfType,
  pointsAt,
  ref,
  resource,
  resourcesOfType,
  type Synthesised,
  synthLivedrop,
} from './support.js';

const ALL_ROUTES = httpRoutes().map(({ fn, trigger }) => ({
  routeKey: `${trigger.method} ${trigger.path}`,
  name: fn.name,
  trigger,
}));
/** The routes behind the JWT authorizer: all but the public ones. */
const ROUTES = ALL_ROUTES.filter(({ trigger }) => !trigger.public);
const PUBLIC_ROUTES = ALL_ROUTES.filter(({ trigger }) => trigger.public);
const ALL_ROLES = Object.keys(SCOPES) as Role[];

let synthesised: Synthesised;
let authorizerId: string;

beforeAll(() => {
  synthesised = synthLivedrop();
  [authorizerId] = onlyResourceOfType(synthesised.template, 'AWS::ApiGatewayV2::Authorizer');
});

const routesByKey = () =>
  new Map(
    Object.entries(resourcesOfType(synthesised.template, 'AWS::ApiGatewayV2::Route')).map(([id, route]) => [
      route.Properties.RouteKey as string,
      { id, props: route.Properties },
    ]),
  );

describe('the HTTP API routes', () => {
  it('trust one JWT authorizer: the issuer and audience the stack was given, from the Authorization header', () => {
    synthesised.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: ISSUER, Audience: [AUDIENCE] },
    });
  });

  it('admit the tokens of every app client the stack lists as an audience (web and checkout)', () => {
    const { template } = synthLivedrop({ audience: [AUDIENCE, 'checkout-client-id'] });

    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: ISSUER, Audience: [AUDIENCE, 'checkout-client-id'] },
    });
  });

  it.each(ROUTES)('$routeKey requires a JWT carrying one of its roles’ scopes', ({ routeKey, trigger }) => {
    const route = routesByKey().get(routeKey);
    if (route === undefined) throw new Error(`no route ${routeKey}`);

    expect(route.props).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: ref(authorizerId),
    });
    expect([...(route.props.AuthorizationScopes as string[])].sort()).toStrictEqual(
      trigger.roles.map(scopeOf).sort(),
    );
  });

  it('are exactly the wiring’s routes, none open but the public ones', () => {
    const routes = routesByKey();

    expect([...routes.keys()].sort()).toStrictEqual(ALL_ROUTES.map(({ routeKey }) => routeKey).sort());
    for (const [routeKey, { props }] of routes) {
      if (PUBLIC_ROUTES.some((route) => route.routeKey === routeKey)) continue;
      expect(props.AuthorizationType, routeKey).toBe('JWT');
      expect(props.AuthorizerId, routeKey).toStrictEqual(ref(authorizerId));
      expect((props.AuthorizationScopes as string[]).length, routeKey).toBeGreaterThan(0);
    }
  });

  it('include the public live state of a stream', () => {
    expect(PUBLIC_ROUTES.map(({ routeKey }) => routeKey)).toStrictEqual(['GET /streams/{streamId}/live']);
  });

  it.each(PUBLIC_ROUTES)('$routeKey has no authorizer (NONE) and asks for no scope', ({ routeKey }) => {
    const route = routesByKey().get(routeKey);
    if (route === undefined) throw new Error(`no route ${routeKey}`);

    expect(route.props.AuthorizationType).toBe('NONE');
    expect(route.props.AuthorizerId).toBeUndefined();
    expect(route.props.AuthorizationScopes).toBeUndefined();
  });

  it.each(ALL_ROUTES)('$routeKey invokes the $name function', ({ routeKey, name }) => {
    const route = routesByKey().get(routeKey);
    const target = JSON.stringify(route?.props.Target);
    const [integrationId] = /"Ref":"([^"]+)"/.exec(target)?.slice(1) ?? [];

    expect(target).toContain('integrations/');
    expect(integrationId).toBeDefined();
    expect(resource(synthesised.template, integrationId ?? '').Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: arnOf(functionIds(synthesised, name).function),
    });
  });
});

describe('the API stage', () => {
  const stageProps = () => onlyResourceOfType(synthesised.template, 'AWS::ApiGatewayV2::Stage')[1].Properties;

  it('writes an access log line with the request id to a log group with a retention', () => {
    const { AccessLogSettings } = stageProps() as {
      AccessLogSettings: { DestinationArn: unknown; Format: string };
    };
    const logGroupId = pointsAt(AccessLogSettings.DestinationArn);

    expect(AccessLogSettings.DestinationArn).toStrictEqual(arnOf(logGroupId ?? ''));
    expect(resource(synthesised.template, logGroupId ?? '')).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: expect.any(Number) },
    });
    expect(AccessLogSettings.Format).toContain('$context.requestId');
    // One JSON object per request, so Logs Insights can query the fields.
    expect(JSON.parse(AccessLogSettings.Format)).toMatchObject({ requestId: '$context.requestId' });
  });

  it('throttles every route by default', () => {
    expect(stageProps()).toMatchObject({
      DefaultRouteSettings: {
        ThrottlingRateLimit: expect.any(Number),
        ThrottlingBurstLimit: expect.any(Number),
      },
    });
  });

  it('gives exactly the routes with a throttle in the wiring their own limits', () => {
    const throttled = Object.fromEntries(
      ALL_ROUTES.flatMap(({ routeKey, trigger }) =>
        trigger.throttle
          ? [
              [
                routeKey,
                {
                  ThrottlingRateLimit: trigger.throttle.rateLimit,
                  ThrottlingBurstLimit: trigger.throttle.burstLimit,
                },
              ],
            ]
          : [],
      ),
    );

    expect(throttled).toHaveProperty(['POST /deals/{dealId}/claims']);
    expect(stageProps().RouteSettings).toStrictEqual(throttled);
  });

  it('is the auto-deployed $default stage of the API', () => {
    const [apiId] = onlyResourceOfType(synthesised.template, 'AWS::ApiGatewayV2::Api');
    synthesised.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: ref(apiId),
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('requestId') }),
    });
  });
});

/**
 * API Gateway refuses a token without the route's scopes before the function runs; each handler checks again
 * (a direct invoke, a route deployed without the authorizer). Both must admit exactly the same roles.
 */
describe('each HTTP handler admits exactly the roles API Gateway admits', () => {
  const FACTORIES: Record<string, (deps: HandlerDeps) => HttpHandler> = {
    'create-deal': createCreateDealHandler,
    'get-deal': createGetDealHandler,
    'get-deal-live': createGetDealLiveHandler,
    'get-stream-live': createGetStreamLiveHandler,
    'get-deal-audit': createGetDealAuditHandler,
    'list-stream-deals': createListStreamDealsHandler,
    'cue-deal': createCueDealHandler,
    'claim-coupon': createClaimCouponHandler,
    'list-my-coupons': createListMyCouponsHandler,
    'redeem-coupon': createRedeemCouponHandler,
    'release-coupon': createReleaseCouponHandler,
    'create-price-drop': createCreatePriceDropHandler,
    'list-price-drops': createListPriceDropsHandler,
    'cancel-price-drop': createCancelPriceDropHandler,
  };

  /** Every use case answers, so an admitted caller gets a 2xx and a refused one can only be the scope check. */
  const answeringEngine = (): FakeEngine => {
    const engine = fakeEngine();
    engine.createDeal.mockResolvedValue(sampleDeal());
    engine.getDeal.mockResolvedValue(sampleDeal());
    engine.liveDeal.mockResolvedValue({
      dealId: sampleDeal().dealId,
      title: 'Jacket',
      status: 'LIVE',
      available: 1,
      currency: 'EUR',
      dealPrice: 6_000,
      listPrice: 12_000,
    });
    engine.streamDeals.mockResolvedValue([]);
    engine.streamLive.mockResolvedValue({ streamId: 's', version: 1, at: '2025-11-26T09:25:00Z', deals: [] });
    engine.cue.mockResolvedValue(sampleDeal());
    engine.claim.mockResolvedValue({ coupon: sampleCoupon(), replayed: false });
    engine.listCoupons.mockResolvedValue({ coupons: [sampleCoupon()] });
    engine.redeem.mockResolvedValue(sampleCoupon({ status: 'REDEEMED' }));
    engine.release.mockResolvedValue(sampleCoupon());
    engine.schedulePriceDrop.mockResolvedValue(samplePriceDrop());
    engine.listPriceDrops.mockResolvedValue([samplePriceDrop()]);
    engine.cancelPriceDrop.mockResolvedValue(samplePriceDrop({ status: 'CANCELLED' }));
    engine.auditTrail.mockResolvedValue({ records: [] });
    engine.createDealKeyed.mockResolvedValue(firstAnswer(sampleDeal()));
    engine.cueKeyed.mockResolvedValue(firstAnswer(sampleDeal()));
    engine.schedulePriceDropKeyed.mockResolvedValue(firstAnswer(samplePriceDrop()));
    return engine;
  };

  /**
   * The route's sample event, its JWT carrying exactly one role's scope. A public route's sample carries no
   * token; here it gets one, as a caller may send one anyway.
   */
  const eventAs = (name: string, role: Role) => {
    const event = loadEvent(`${name}.valid`);
    event.requestContext.authorizer ??= {
      principalId: '',
      integrationLatency: 0,
      jwt: { claims: { sub: 'some-caller' }, scopes: [] },
    };
    event.requestContext.authorizer.jwt.claims.scope = scopeOf(role);
    return event;
  };

  it('the wiring’s scopes are the ones the handlers check', () => {
    for (const role of ALL_ROLES) expect(scopeOf(role)).toBe(SCOPES[role]);
  });

  it('every HTTP function of the wiring has a handler factory here and a sample event for its route', () => {
    expect(Object.keys(FACTORIES).sort()).toStrictEqual(ALL_ROUTES.map(({ name }) => name).sort());
    for (const { name, routeKey } of ALL_ROUTES) {
      expect((loadEvent(`${name}.valid`) as Json).routeKey, name).toBe(routeKey);
    }
  });

  const cases = ALL_ROUTES.flatMap(({ routeKey, name, trigger }) =>
    ALL_ROLES.map((role) => ({
      routeKey,
      name,
      role,
      admitted: trigger.public === true || trigger.roles.includes(role),
    })),
  );

  it.each(PUBLIC_ROUTES)('$routeKey: the handler admits a caller without a token', async ({ name }) => {
    const engine = answeringEngine();
    const handler = FACTORIES[name]?.({ engine, logger: silentLogger() });
    if (handler === undefined) throw new Error(`no factory for ${name}`);
    const event = loadEvent(`${name}.valid`);

    const response = await invoke(handler, event);

    expect(event.requestContext.authorizer).toBeUndefined();
    expect(response.statusCode).toBe(200);
  });

  it.each(cases.filter(({ admitted }) => admitted))(
    '$routeKey: the handler admits $role, as API Gateway does',
    async ({ name, role }) => {
      const engine = answeringEngine();
      const handler = FACTORIES[name]?.({ engine, logger: silentLogger() });
      if (handler === undefined) throw new Error(`no factory for ${name}`);

      const response = await invoke(handler, eventAs(name, role));

      expect(response.statusCode).toBeGreaterThanOrEqual(200);
      expect(response.statusCode).toBeLessThan(300);
    },
  );

  it.each(cases.filter(({ admitted }) => !admitted))(
    '$routeKey: the handler refuses $role with 403, as API Gateway does',
    async ({ name, role }) => {
      const engine = answeringEngine();
      const handler = FACTORIES[name]?.({ engine, logger: silentLogger() });
      if (handler === undefined) throw new Error(`no factory for ${name}`);

      const response = await invoke(handler, eventAs(name, role));

      expect(response.statusCode).toBe(403);
      for (const useCase of Object.values(engine)) expect(useCase).not.toHaveBeenCalled();
    },
  );
});
