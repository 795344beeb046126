import { createHash } from 'node:crypto';

/**
 * A strong ETag for a versioned resource: the same name and version always stand for the same bytes. The name
 * is hashed, so any characters it holds stay out of the quoted tag.
 */
export const versionTag = (name: string, version: number): string =>
  `"${createHash('sha256').update(name).digest('base64url').slice(0, 16)}.${version}"`;

/**
 * Whether `If-None-Match` names the current tag (RFC 9110 13.1.2: a list, `*`, and weak comparison, so a tag a
 * cache turned weak still matches).
 */
export const noneMatch = (header: string | undefined, tag: string): boolean => {
  if (header === undefined) return false;
  const strip = (value: string) => value.trim().replace(/^W\//, '');
  return header.split(',').some((candidate) => {
    const value = candidate.trim();
    return value === '*' || strip(value) === tag;
  });
};
