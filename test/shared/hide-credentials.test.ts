import { describe, expect, it } from 'vitest';
import { hideCredentials } from '../../src/shared/hide-credentials.js';

describe('hideCredentials', () => {
  it('hides the user and password before the host, and a password= parameter', () => {
    expect(hideCredentials('redis://app:s3cret@10.0.0.5:6379/0')).toBe(
      'redis://***@10.0.0.5:6379/0',
    );
    expect(hideCredentials('postgres://db.local/voicehire?user=app&password=s3cret&ssl=1')).toBe(
      'postgres://db.local/voicehire?user=app&password=***&ssl=1',
    );
  });

  it('leaves a URL without credentials as it is', () => {
    expect(hideCredentials('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
