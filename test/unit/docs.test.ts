import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The README is the front page and docs/ is behind it: the README stays short, no line of either is wider than
 * a reader's screen, and no link points at a file or heading that is not there.
 */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = join(REPO_ROOT, 'README.md');
const MAX_README_BYTES = 12_000;
const MAX_LINE_CHARS = 160;

const documents = (): string[] => [
  README,
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(REPO_ROOT, 'docs', name)),
];

const name = (file: string) => relative(REPO_ROOT, file);

/** The lines of a markdown file outside fenced code blocks, with their line numbers. */
const prose = (text: string): { line: string; number: number }[] => {
  const lines: { line: string; number: number }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced) lines.push({ line, number: index + 1 });
  });
  return lines;
};

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes, repeats numbered. */
const anchors = (text: string): Set<string> => {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { line } of prose(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
};

/** Relative link and image targets outside code (inline code spans removed first). */
const relativeLinks = (text: string): { target: string; number: number }[] =>
  prose(text).flatMap(({ line, number }) =>
    [...line.replace(/`[^`]*`/g, '').matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
      .map((match) => match[1] as string)
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      .map((target) => ({ target, number })),
  );

describe('the README', () => {
  it(`stays a front page of at most ${MAX_README_BYTES.toLocaleString('en-US')} bytes`, () => {
    expect(statSync(README).size).toBeLessThanOrEqual(MAX_README_BYTES);
  });
});

describe('the README and docs/', () => {
  it(`have no line over ${MAX_LINE_CHARS} characters`, () => {
    const wide = documents().flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) =>
          [...line].length > MAX_LINE_CHARS ? [`${name(file)}:${index + 1} (${[...line].length})`] : [],
        ),
    );

    expect(wide).toEqual([]);
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of documents()) {
      for (const { target, number } of relativeLinks(readFileSync(file, 'utf8'))) {
        checked++;
        const [path = '', anchor] = target.split('#');
        const linked = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        const where = `${name(file)}:${number} -> ${target}`;
        if (!linked.startsWith(REPO_ROOT) || !existsSync(linked)) {
          broken.push(`${where}: no such file`);
        } else if (anchor !== undefined && !anchors(readFileSync(linked, 'utf8')).has(anchor)) {
          broken.push(`${where}: no such heading`);
        }
      }
    }

    expect(broken).toEqual([]);
    expect(checked, 'the documents link to each other').toBeGreaterThan(20);
  });

  it('map every document in docs/ from the README', () => {
    const readme = readFileSync(README, 'utf8');
    const unmapped = documents()
      .filter((file) => file !== README)
      .map(name)
      .filter((doc) => !readme.includes(`](${doc})`));

    expect(unmapped).toEqual([]);
  });
});
