import { InputError } from '../core/errors.ts';

/** Runs `f` and returns the InputError it throws; fails the test if it throws nothing or something else. */
export function inputErrorOf(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('aucune InputError levée');
}
