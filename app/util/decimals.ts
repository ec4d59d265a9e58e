// OpenCart keeps money in DECIMAL(15,4): a value read, compared or written as the shop holds it
// has at most 4 decimals.

/** `n` to 4 decimals, as the shop's money columns hold it (Math.round: half up, for the values a push compares). */
export const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;
