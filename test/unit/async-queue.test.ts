import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../app/util/async-queue.js';
import { indexOfSorted } from '../../app/util/sorted.js';

describe('AsyncQueue', () => {
  it('hands items over in order, waits for the next one, and answers undefined once ended and empty', async () => {
    let taken = 0;
    const q = new AsyncQueue<number>(() => taken++);
    q.push(1);
    q.push(2);
    expect(await q.take()).toBe(1);
    expect(q.length).toBe(1);
    expect(await q.take()).toBe(2);
    const waiting = q.take();
    q.push(3);
    expect(await waiting).toBe(3);
    q.push(4);
    q.end();
    expect(await q.take()).toBe(4);
    expect(await q.take()).toBeUndefined();
    expect(taken).toBe(4);
  });

  it('throws a failure before the items still queued, and to a reader already waiting', async () => {
    const q = new AsyncQueue<number>();
    const waiting = q.take();
    const boom = new Error('boom');
    q.fail(boom);
    await expect(waiting).rejects.toBe(boom);
    q.push(1);
    q.fail(new Error('later'));
    await expect(q.take()).rejects.toBe(boom);
  });
});

describe('indexOfSorted', () => {
  it('finds each key of an ascending list, and -1 for keys between, before, after, or in an empty list', () => {
    const keys = [-5, 0, 3, 9, 20];
    keys.forEach((k, i) => expect(indexOfSorted(keys.length, (j) => keys[j]!, k)).toBe(i));
    for (const k of [-6, 1, 10, 21]) expect(indexOfSorted(keys.length, (j) => keys[j]!, k)).toBe(-1);
    expect(indexOfSorted(0, () => 0, 0)).toBe(-1);
  });
});
