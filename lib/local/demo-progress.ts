/** What `npm run demo` draws while it runs: where it writes, the progress bar and the status line. */

export interface Output {
  write(text: string): void;
  isTTY: boolean;
}

export const bar = (done: number, total: number, width = 24): string => {
  const filled = total <= 0 ? width : Math.min(width, Math.floor((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
};

/**
 * A status line: redrawn in place with \r on a terminal (at most every `everyMs`), printed as plain lines
 * once a second otherwise, so a log file gets a readable trace instead of a thousand carriage returns.
 */
export class StatusLine {
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly out: Output,
    private readonly render: () => string,
    private readonly now: () => number = Date.now,
    private readonly everyMs = out.isTTY ? 100 : 1_000,
  ) {}

  update(): void {
    const now = this.now();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    this.draw();
  }

  /** Draws the final state (always) and ends the line. */
  done(): void {
    this.draw();
    if (this.out.isTTY) this.out.write('\n');
  }

  private draw(): void {
    if (this.out.isTTY) {
      // Clear to the end of the line: the new text may be shorter than the last.
      this.out.write(`\r${this.render()}\x1b[K`);
    } else {
      this.out.write(`${this.render()}\n`);
    }
  }
}
