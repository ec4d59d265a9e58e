/** Where `key` stands among `length` ascending keys read by `keyAt`, or -1 (binary search). */
export function indexOfSorted(length: number, keyAt: (i: number) => number, key: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keyAt(mid);
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
