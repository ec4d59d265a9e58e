// Reading a stored order problem back (app/erp/order-problems.ts, readOrderProblems): only a
// leading "http: " or "file: " says where a delivery failed; the same words inside a value are
// part of the value. Cases found by mutation testing (issue 16).
import { describe, expect, it } from 'vitest';
import { orderProblem, readOrderProblems } from '../../app/erp/order-problems.js';

describe('reading stored order problems back', () => {
  it('a problem stored without "http: " or "file: " comes back with no via at all', () => {
    expect(readOrderProblems(orderProblem('api_no_tables'))).toStrictEqual([{ code: 'api_no_tables', vars: {} }]);
    expect(readOrderProblems(orderProblem('timeout', { host: 'erp.example.hu', seconds: 30 }))).toStrictEqual([{ code: 'timeout', vars: { host: 'erp.example.hu', seconds: '30' } }]);
  });

  it('"file: " or "http: " inside a value is part of the value, not where the problem came from', () => {
    const stored = orderProblem('api_answered', { error: 'file: missing' });
    expect(stored).toBe("the shop's API answered: file: missing");
    expect(readOrderProblems(stored)).toStrictEqual([{ code: 'api_answered', vars: { error: 'file: missing' } }]);
    expect(readOrderProblems(`http: ${orderProblem('http_status', { status: 502, body: 'http: bad gateway' })}`)).toStrictEqual([
      { via: 'http', code: 'http_status', vars: { status: '502', body: 'http: bad gateway' } },
    ]);
  });

  it('another word before ": " is no delivery: a text no template makes stays whole', () => {
    expect(readOrderProblems('ftp: HTTP 503: down')).toStrictEqual([{ text: 'ftp: HTTP 503: down' }]);
    expect(readOrderProblems('https: HTTP 503: down')).toStrictEqual([{ text: 'https: HTTP 503: down' }]);
  });

  it('a problem made without values leaves no placeholder in its sentence', () => {
    expect(orderProblem('api_no_shop_url')).toBe("the shop's address is not set (setting shop_url)");
    expect(orderProblem('code_missing')).toBe("the ERP item code setting  is not set (needed for the order's  line)");
  });
});
