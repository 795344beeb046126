/** The local IVS stand-in answers PutMetadata as IVS does and keeps what each channel was sent. */
import { describe, expect, it } from 'vitest';
import { LocalIvs } from '../../../lib/local/ivs.js';

const CHANNEL = 'arn:aws:ivs:local:000000000000:channel/Local1';

describe('the local IVS stand-in', () => {
  it('records each put per channel with its instant and answers 204', () => {
    let now = 1_000;
    const ivs = new LocalIvs(() => now);

    expect(ivs.putMetadata({ channelArn: CHANNEL, metadata: '{"v":1}' })).toStrictEqual({
      status: 204,
      body: '',
    });
    now = 2_000;
    ivs.putMetadata({ channelArn: CHANNEL, metadata: '{"v":2}' });

    expect(ivs.puts(CHANNEL)).toStrictEqual([
      { at: 1_000, metadata: '{"v":1}' },
      { at: 2_000, metadata: '{"v":2}' },
    ]);
    expect(ivs.channels()).toStrictEqual([CHANNEL]);
  });

  it('answers ChannelNotBroadcasting for a channel that is off air, and records nothing', () => {
    const ivs = new LocalIvs();
    ivs.setBroadcasting(CHANNEL, false);

    const answer = ivs.putMetadata({ channelArn: CHANNEL, metadata: '{}' });

    expect(answer).toMatchObject({ status: 404, headers: { 'x-amzn-errortype': 'ChannelNotBroadcasting' } });
    expect(ivs.puts(CHANNEL)).toStrictEqual([]);
  });

  it('refuses a payload over 1 KB or without a channel', () => {
    const ivs = new LocalIvs();

    expect(ivs.putMetadata({ channelArn: CHANNEL, metadata: 'x'.repeat(1_025) }).status).toBe(400);
    expect(ivs.putMetadata({ metadata: '{}' }).status).toBe(400);
  });
});
