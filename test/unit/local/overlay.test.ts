import { describe, expect, it } from 'vitest';
import { createOverlayHandler, OVERLAY_PATH, overlayCsp } from '../../../lib/local/overlay.js';

/** The overlay's files on the local runtime: who may frame it follows LIVEDROP_ALLOWED_ORIGINS. */

describe('the local overlay handler', () => {
  it('lets nobody frame it without allowed origins, as the console', async () => {
    const answer = await createOverlayHandler([])({ method: 'GET', path: `${OVERLAY_PATH}/config.json` });

    expect(answer?.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(answer?.headers['x-frame-options']).toBe('DENY');
  });

  it('lets the allowed player pages frame it, and tells the page whose messages to take', async () => {
    const origins = ['https://player.example', 'http://localhost:5173'];

    const answer = await createOverlayHandler(origins)({
      method: 'GET',
      path: `${OVERLAY_PATH}/config.json`,
    });

    expect(answer?.headers['content-security-policy']).toBe(overlayCsp(origins));
    expect(answer?.headers['content-security-policy']).toContain(
      'frame-ancestors https://player.example http://localhost:5173',
    );
    expect(answer?.headers['x-frame-options']).toBeUndefined();
    expect(JSON.parse(answer?.body ?? '')).toStrictEqual({
      apiUrl: '',
      localIssuer: true,
      liveEvents: true,
      embedOrigins: origins,
    });
  });

  it('keeps the query on the redirect to its folder, and leaves other paths to the gateway', async () => {
    const handler = createOverlayHandler();

    const redirect = await handler({
      method: 'GET',
      path: OVERLAY_PATH,
      rawQueryString: 'stream=s-1&lang=ru',
    });
    const other = await handler({ method: 'GET', path: '/overlays' });

    expect(redirect?.status).toBe(308);
    expect(redirect?.headers.location).toBe('/overlay/?stream=s-1&lang=ru');
    expect(other).toBeUndefined();
  });
});
