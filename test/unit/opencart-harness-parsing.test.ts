// The harness's readers of what OpenCart prints: PHP problems in output and logs, and amounts
// in the currency formats a storefront displays.
import { describe, expect, it } from 'vitest';
import { phpProblems } from '../support/opencart/php-problems.js';
import { parseAmount } from '../support/opencart/storefront.js';

describe('phpProblems', () => {
  it('finds what OpenCart\'s error handler prints into a page (deprecations come out as Unknown)', () => {
    const page = '<html><b>Unknown</b>: Creation of dynamic property X::$y is deprecated in <b>/s/x.php</b> on line <b>12</b>{"ok":1}';
    expect(phpProblems(page)).toEqual(['Unknown: Creation of dynamic property X::$y is deprecated in /s/x.php on line 12']);
    expect(phpProblems('<b>Warning</b>: Undefined array key "a" in <b>/s/a.php</b> on line <b>3</b>')).toHaveLength(1);
  });

  it('finds OpenCart\'s log lines and PHP\'s own messages', () => {
    expect(phpProblems('2026-12-01 10:00:00 - PHP Notice:  Undefined index: x in /a.php on line 2')).toHaveLength(1);
    expect(phpProblems('\nDeprecated: strlen(): Passing null in /a.php on line 9\n')).toHaveLength(1);
  });

  it('finds uncaught exceptions, as PHP and as OpenCart 4\'s exception handler print them', () => {
    expect(phpProblems('<br />\n<b>Fatal error</b>:  Uncaught Exception: boom in /a.php:3\nStack trace:')).toHaveLength(1);
    expect(phpProblems('Fatal error: Uncaught Exception: boom in /a.php:3\nStack trace:')).toHaveLength(1);
    expect(phpProblems('Error: Could not connect\nFile: /s/db.php\nLine: 86\n\nBacktrace: 0')).toHaveLength(1);
  });

  it('does not flag a page or a server log without problems', () => {
    expect(phpProblems('[Tue Dec  1 22:36:10 2026] 127.0.0.1:60364 [200]: GET /\n<p>Warning: low stock</p>')).toEqual([]);
  });
});

describe('parseAmount', () => {
  it('reads the decimal point from the currency\'s decimal places', () => {
    expect(parseAmount('$1,234.50', 2)).toBe(1234.5);
    expect(parseAmount('1.234,50 €', 2)).toBe(1234.5);
    expect(parseAmount('1 234 Ft', 0)).toBe(1234);
    expect(parseAmount('1.234 Ft', 0)).toBe(1234);
    expect(parseAmount('£-3.20', 2)).toBe(-3.2);
  });

  it('refuses text that holds no amount', () => {
    expect(() => parseAmount('Call for price', 2)).toThrow(/not an amount/);
  });
});
