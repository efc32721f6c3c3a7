// Standard Webhooks signing with the reference library (standardwebhooks): webhook-id,
// webhook-timestamp and webhook-signature (v1, HMAC-SHA256). Several space-separated secrets
// (rotation) give one signature each, as the specification allows.
import { randomBytes } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

/** A new signing secret: whsec_ and 32 random bytes in base64 (the specification's form). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Whether `secrets` is one or more whsec_... secrets, space-separated. */
export function validSecrets(secrets: string): boolean {
  const list = secrets.split(/\s+/).filter(Boolean);
  return (
    list.length > 0 &&
    list.every((s) => {
      try {
        new Webhook(s);
        return /^whsec_[A-Za-z0-9+/=]{16,}$/.test(s);
      } catch {
        return false;
      }
    })
  );
}

export function signatureHeaders(
  secrets: string,
  msgId: string,
  timestamp: Date,
  payload: string,
): Record<string, string> {
  const signatures = secrets
    .split(/\s+/)
    .filter(Boolean)
    .map((secret) => new Webhook(secret).sign(msgId, timestamp, payload));
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
