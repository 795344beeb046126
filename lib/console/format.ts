/** Pure formatting for the console: money in minor units, instants in a zone, countdowns. */

const fractionDigits = (currency: string): number => {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits as number;
  } catch {
    return 2;
  }
};

/** 6000 EUR -> "€60.00" (or "60,00 €" in `locale` ru); the API speaks integer minor units. */
export const formatMoney = (minor: number, currency: string, locale?: string): string => {
  const digits = fractionDigits(currency);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 10 ** digits);
  } catch {
    return `${minor} ${currency}`;
  }
};

/** "60" or "60.5" EUR -> 6000 / 6050; undefined when it is not an amount in that currency. */
export const toMinorUnits = (amount: string, currency: string): number | undefined => {
  const digits = fractionDigits(currency);
  const match = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(amount);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  return Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
};

/** The instant as the people in `timeZone` read it, with the zone's abbreviation. */
export const formatInZone = (instant: string, timeZone: string): string => {
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    }).format(new Date(instant));
  } catch {
    return instant;
  }
};

const pad = (value: number) => String(value).padStart(2, '0');

/** 93,784,000 ms -> "1d 02:03:04"; "now" once reached. */
export const formatCountdown = (ms: number): string => {
  if (ms <= 0) return 'now';
  const total = Math.ceil(ms / 1000);
  const days = Math.floor(total / 86_400);
  const clock = `${pad(Math.floor((total % 86_400) / 3_600))}:${pad(Math.floor((total % 3_600) / 60))}:${pad(total % 60)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
};

/**
 * Claims per second between two polls, from the units that left stock for viewers (held + redeemed).
 * Expiry and releases move units back, so a drop is not negative claiming: it counts as none.
 */
export const claimRate = (
  previous: { at: number; claimed: number },
  current: { at: number; claimed: number },
): number => {
  const seconds = (current.at - previous.at) / 1000;
  if (seconds <= 0) return 0;
  return Math.max(0, current.claimed - previous.claimed) / seconds;
};
