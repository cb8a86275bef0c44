import { describe, expect, it } from 'vitest';
import { hiddenLineReader } from './hidden-input.ts';

describe('hiddenLineReader', () => {
  it('ends the line on Enter, across chunks', () => {
    const r = hiddenLineReader();
    expect(r.feed('une phr')).toEqual({ state: 'pending' });
    expect(r.feed('ase\r')).toEqual({ state: 'done', line: 'une phrase' });
  });

  it('applies Backspace and ignores arrow keys', () => {
    const r = hiddenLineReader();
    expect(r.feed('abcd\u007f\u007fé\u001b[Df\n')).toEqual({ state: 'done', line: 'abéf' });
  });

  it('cancels on Ctrl-C and Ctrl-D', () => {
    expect(hiddenLineReader().feed('secret\u0003')).toEqual({ state: 'cancelled' });
    expect(hiddenLineReader().feed('\u0004')).toEqual({ state: 'cancelled' });
  });
});
