// The error a call must throw, checked to be of the expected class: a test of a refusal fails
// when nothing is thrown, or when something else is.
import { expect } from 'vitest';

export function thrown<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error('not refused');
}
