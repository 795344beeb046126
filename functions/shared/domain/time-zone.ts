/**
 * Wall-clock time in an IANA zone, both ways, as EventBridge Scheduler's `at()` + ScheduleExpressionTimezone
 * express it. Pure, like the wiring: the Scheduler adapter (functions) and the local Scheduler API (lib) share it.
 */
const FORMATS = new Map<string, Intl.DateTimeFormat>();

const format = (timeZone: string): Intl.DateTimeFormat => {
  let found = FORMATS.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    FORMATS.set(timeZone, found);
  }
  return found;
};

/** The instant as wall-clock time in `timeZone`: yyyy-mm-ddThh:mm:ss. */
export const wallTime = (instant: string, timeZone: string): string => {
  const parts = format(timeZone).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}`;
};

/** The instant a wall-clock time (yyyy-mm-ddThh:mm:ss) in `timeZone` denotes, DST included. */
export const instantOf = (wall: string, timeZone: string): string => {
  const target = Date.parse(`${wall}Z`);
  let guess = target;
  // Two rounds settle the zone's offset at that instant, also across a DST change.
  for (let round = 0; round < 2; round++) {
    guess += target - Date.parse(`${wallTime(new Date(guess).toISOString(), timeZone)}Z`);
  }
  return new Date(guess).toISOString();
};
