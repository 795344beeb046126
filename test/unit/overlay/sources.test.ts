import { describe, expect, it } from 'vitest';
import { liveStateUrl } from '../../../lib/overlay/sources.js';

/** Where the overlay polls a stream's live state: the live CDN when its config names one, else the API. */

const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const LIVE_URL = 'https://d111111abcdef8.cloudfront.net/streams/{streamId}/live';

describe('the live state’s address', () => {
  it('is the CDN’s LiveUrl with the stream filled in, when the deployed config names it', () => {
    const url = liveStateUrl({ apiUrl: API, liveUrl: LIVE_URL, streamId: 'gala stream/1' }, false);

    expect(url).toBe('https://d111111abcdef8.cloudfront.net/streams/gala%20stream%2F1/live');
  });

  it('is the API’s route without a CDN (the local runtime, or liveCdn: false)', () => {
    expect(liveStateUrl({ apiUrl: API, streamId: 's-1' }, false)).toBe(`${API}/streams/s-1/live`);
    expect(liveStateUrl({ apiUrl: '', streamId: 's-1' }, false)).toBe('/streams/s-1/live');
  });

  it('is the API’s route when the route wants a token: the CDN passes no Authorization on', () => {
    const url = liveStateUrl({ apiUrl: API, liveUrl: LIVE_URL, streamId: 's-1' }, true);

    expect(url).toBe(`${API}/streams/s-1/live`);
  });
});
