// Small assertions with messages that say what was expected and what came.
import assert from 'node:assert/strict';

export function expectEqual(actual, expected, what) {
  assert.equal(actual, expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function expectMatch(actual, pattern, what) {
  assert.match(String(actual ?? ''), pattern, `${what}: expected to match ${pattern}, got ${JSON.stringify(actual)}`);
}

export function expectTrue(condition, what) {
  assert.ok(condition, what);
}

// Headers every soko-server answer carries (REQUIREMENTS.md R43, R52).
export function expectSecurityHeaders(headers, what) {
  expectEqual(headers['strict-transport-security'], 'max-age=63072000; includeSubDomains', `${what} HSTS`);
  expectEqual(headers['x-content-type-options'], 'nosniff', `${what} X-Content-Type-Options`);
  expectEqual(headers['x-frame-options'], 'DENY', `${what} X-Frame-Options`);
  expectEqual(headers['referrer-policy'], 'no-referrer', `${what} Referrer-Policy`);
  expectEqual(headers['cache-control'], 'no-store', `${what} Cache-Control`);
  expectMatch(headers['content-type'], /; charset=utf-8$/, `${what} Content-Type charset`);
  expectMatch(headers['content-security-policy'], /^default-src 'none'/, `${what} Content-Security-Policy`);
  expectEqual(headers.server, 'soko', `${what} Server (no version)`);
}
