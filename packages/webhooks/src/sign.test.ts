import { Webhook } from 'standardwebhooks';

import { generateWebhookSecret, signatureHeaders, validSecrets } from './sign';

describe('webhook secrets', () => {
  it('generates valid whsec_ secrets of 32 random bytes, each one new', () => {
    const secrets = Array.from({ length: 20 }, generateWebhookSecret);
    for (const secret of secrets) {
      expect(validSecrets(secret)).toBe(true);
      expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('signs with each of several secrets, so a receiver holding either verifies', () => {
    const [a, b, other] = [
      generateWebhookSecret(),
      generateWebhookSecret(),
      generateWebhookSecret(),
    ];
    const payload = JSON.stringify({ id: 'p1', status: 'succeeded' });
    const headers = signatureHeaders(`${a} ${b}`, 'msg_1', new Date(), payload);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(a).verify(payload, headers)).not.toThrow();
    expect(() => new Webhook(b).verify(payload, headers)).not.toThrow();
    expect(() => new Webhook(other).verify(payload, headers)).toThrow();
  });
});
