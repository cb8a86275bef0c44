export type HiddenInputState = { state: 'pending' } | { state: 'done'; line: string } | { state: 'cancelled' };

/**
 * Keystrokes of a terminal in raw mode (nothing echoed) → one line: Enter ends it,
 * Backspace removes a character, Ctrl-C / Ctrl-D cancel, arrow keys and other escape
 * sequences are ignored. Pure, so the prompt's behaviour is testable without a TTY.
 */
export function hiddenLineReader(): { feed(chunk: string): HiddenInputState } {
  let chars: string[] = [];
  let escape = false;
  let finished: HiddenInputState | null = null;
  return {
    feed(chunk) {
      if (finished) return finished;
      for (const ch of chunk) {
        if (escape) {
          // CSI sequences (ESC [ … letter) end on a letter or `~`.
          if (/[A-Za-z~]/.test(ch)) escape = false;
          continue;
        }
        if (ch === '\r' || ch === '\n') return (finished = { state: 'done', line: chars.join('') });
        if (ch === '\u0003' || ch === '\u0004') return (finished = { state: 'cancelled' });
        if (ch === '\u007f' || ch === '\b') chars = chars.slice(0, -1);
        else if (ch === '\u001b') escape = true;
        else if (ch >= ' ') chars.push(ch);
      }
      return { state: 'pending' };
    }
  };
}
