// Pairing secrets: a random token, its constant-time check, and the link and QR that carry it.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import QRCode from 'qrcode';

/** Bytes of randomness in a pairing token (256 bits). */
const TOKEN_BYTES = 32;

/** A fresh pairing token: 32 random bytes, base64url (43 characters). */
export function createPairingToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/**
 * Whether `given` equals `expected`, in time independent of where they differ: both are hashed
 * with SHA-256 first, so lengths never leak and `timingSafeEqual` compares equal-size buffers.
 */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

/**
 * The link that pairs the fleet page with this agent: the page URL with the agent's WebSocket
 * URL and the token in the fragment (`#agent=...&token=...`), which browsers never send to a
 * server.
 */
export function pairingLink(appOrigin: string, agentUrl: string, token: string): string {
  const fragment = new URLSearchParams({ agent: agentUrl, token }).toString();
  return `${appOrigin.replace(/\/+$/, '')}/fleet/#${fragment}`;
}

/** The pairing link drawn as a QR code for a terminal (qrcode's `terminal` renderer). */
export async function pairingQr(link: string): Promise<string> {
  return QRCode.toString(link, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
