/**
 * EventBridge content filtering, for the local bus: the subset of the pattern language livedrop's rules and
 * their users need. A pattern is an object whose keys must all match; an array lists the accepted values
 * (exact), or matchers `{ prefix }`, `{ exists }`, `{ "anything-but": [...] }`; nested objects recurse.
 */
export type EventPattern = { [key: string]: readonly unknown[] | EventPattern };

const matchesValue = (rule: unknown, value: unknown, present: boolean): boolean => {
  if (rule !== null && typeof rule === 'object') {
    const matcher = rule as Record<string, unknown>;
    if ('exists' in matcher) return matcher.exists === present;
    if (!present) return false;
    if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(String(matcher.prefix));
    if ('anything-but' in matcher) {
      const excluded = matcher['anything-but'];
      return !(Array.isArray(excluded) ? excluded : [excluded]).includes(value);
    }
    return false;
  }
  return present && rule === value;
};

export const matchesPattern = (pattern: EventPattern, event: Record<string, unknown>): boolean =>
  Object.entries(pattern).every(([key, rule]) => {
    const present = Object.hasOwn(event, key);
    const value = event[key];
    if (Array.isArray(rule)) {
      // An array in the event matches when any of its elements does (EventBridge semantics).
      const values = Array.isArray(value) ? value : [value];
      return rule.some((accepted) => values.some((v) => matchesValue(accepted, v, present)));
    }
    return (
      present &&
      value !== null &&
      typeof value === 'object' &&
      matchesPattern(rule as EventPattern, value as Record<string, unknown>)
    );
  });
