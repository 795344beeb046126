/**
 * CORS for viewers' browsers (issue 14): the origins set at deploy time, plus the console's, may call the API
 * from a page. API Gateway answers the preflight itself, before the authorizer, and for the whole API: the
 * wiring's viewer-facing flag says which routes those origins are for, and the scopes bound the rest.
 */
import { describe, expect, it } from 'vitest';
import { httpRoutes } from '../../functions/shared/contract/wiring.js';
import { listFromContext } from '../../lib/cdk/livedrop.js';
import { logicalIdOf, onlyResourceOfType, resourcesOfType, synthLivedrop } from './support.js';

const SHOP = 'https://shop.example';
const PLAYER = 'https://player.example:8443';

const corsOf = (synthesised: ReturnType<typeof synthLivedrop>) =>
  onlyResourceOfType(synthesised.template, 'AWS::ApiGatewayV2::Api')[1].Properties.CorsConfiguration as
    | Record<string, unknown>
    | undefined;

describe('the API’s CORS configuration', () => {
  it('admits exactly the allowed origins, with the headers and methods a viewer page needs', () => {
    const cors = corsOf(synthLivedrop({ allowedOrigins: [SHOP, PLAYER] }));

    expect(cors).toStrictEqual({
      AllowOrigins: [SHOP, PLAYER],
      AllowMethods: ['GET', 'POST', 'DELETE'],
      AllowHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-none-match'],
      ExposeHeaders: ['location', 'retry-after', 'idempotency-key', 'idempotent-replayed', 'etag'],
      MaxAge: 3600,
    });
  });

  it('admits the console’s origin first, then the allowed ones, each once', () => {
    const synthesised = synthLivedrop({ allowedOrigins: [SHOP, PLAYER, SHOP], consoleSite: {} });
    const site = synthesised.stack.engine.consoleSite;
    if (site === undefined) throw new Error('no console site');
    const distributionId = logicalIdOf(synthesised.stack, site.distribution);

    expect(corsOf(synthesised)?.AllowOrigins).toStrictEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] },
      SHOP,
      PLAYER,
    ]);
  });

  it('admits only the console when no origins are allowed', () => {
    const cors = corsOf(
      synthLivedrop({
        consoleSite: {
          domain: { name: 'console.example.com', certificateArn: 'arn:aws:acm:us-east-1:1:certificate/x' },
        },
      }),
    );

    expect(cors?.AllowOrigins).toStrictEqual(['https://console.example.com']);
  });

  it('is absent with neither allowed origins nor a console: no origin is admitted', () => {
    expect(corsOf(synthLivedrop())).toBeUndefined();
    expect(corsOf(synthLivedrop({ allowedOrigins: [] }))).toBeUndefined();
  });

  it('admits plain http for localhost only, for a shop developing its page', () => {
    const cors = corsOf(
      synthLivedrop({ allowedOrigins: ['http://localhost:5173', 'http://127.0.0.1:8080'] }),
    );

    expect(cors?.AllowOrigins).toStrictEqual(['http://localhost:5173', 'http://127.0.0.1:8080']);
  });

  it.each([
    ['a trailing slash', 'https://shop.example/'],
    ['a path', 'https://shop.example/live'],
    ['no scheme', 'shop.example'],
    ['plain http to another host', 'http://shop.example'],
    ['any origin', '*'],
    ['a wildcard subdomain', 'https://*.shop.example'],
  ])('refuses an entry with %s at synth (%s), since no browser sends it as Origin', (_, origin) => {
    expect(() => synthLivedrop({ allowedOrigins: [origin] })).toThrow(/allowedOrigins: .* is not an origin/);
  });

  it('adds no OPTIONS route: preflights never reach a function, and every route keeps the authorizer', () => {
    const routeKeys = Object.values(
      resourcesOfType(synthLivedrop({ allowedOrigins: [SHOP] }).template, 'AWS::ApiGatewayV2::Route'),
    ).map((route) => route.Properties.RouteKey as string);

    expect(routeKeys.filter((key) => key.startsWith('OPTIONS'))).toStrictEqual([]);
    expect(routeKeys).toHaveLength(httpRoutes().length);
  });
});

describe('the viewer-facing routes of the wiring', () => {
  const viewerFacing = httpRoutes().filter(({ trigger }) => trigger.viewerFacing === true);

  it('are the claim, the wallet and the live states', () => {
    expect(viewerFacing.map(({ trigger }) => `${trigger.method} ${trigger.path}`).sort()).toStrictEqual([
      'GET /deals/{dealId}/live',
      'GET /me/coupons',
      'GET /streams/{streamId}/live',
      'POST /deals/{dealId}/claims',
    ]);
  });

  it('each admit a viewer token: a viewer page calling one is not refused by its scopes', () => {
    for (const { trigger } of viewerFacing) expect(trigger.roles, trigger.path).toContain('viewer');
  });
});

describe('the allowedOrigins context value', () => {
  it.each([
    ['absent', undefined, []],
    ['blank', '', []],
    ['one origin', SHOP, [SHOP]],
    ['comma-separated, with spaces', ` ${SHOP}, ${PLAYER} ,`, [SHOP, PLAYER]],
    ['a list from cdk.json', [SHOP, PLAYER], [SHOP, PLAYER]],
  ])('%s gives its origins', (_, value, origins) => {
    expect(listFromContext(value)).toStrictEqual(origins);
  });
});
