import type * as z from 'zod/mini';
import type { ErrorDetail } from '../domain/errors.js';
import type { HttpSchema } from './types.js';

const fieldName = (prefix: string, path: readonly PropertyKey[]): string =>
  path.length === 0 ? prefix : `${prefix}.${path.map(String).join('.')}`;

/** One detail per issue, named by where it is (`body.stock`); one per key for unknown fields. */
export const issueDetails = (issues: readonly z.core.$ZodIssue[], prefix: string): ErrorDetail[] => {
  const details: ErrorDetail[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        details.push({ field: fieldName(prefix, [...issue.path, key]), message: 'Unknown field.' });
      }
    } else {
      details.push({ field: fieldName(prefix, issue.path), message: issue.message });
    }
  }
  return details;
};

/** Parsed value of one request part, or undefined after adding its issues to `details`. */
export const parsePart = <T>(
  schema: HttpSchema<T>,
  value: unknown,
  prefix: string,
  details: ErrorDetail[],
): T | undefined => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  details.push(...issueDetails(result.error.issues, prefix));
  return undefined;
};
