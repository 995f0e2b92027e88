// SMS through an HTTP gateway (SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN): one JSON POST per message with the sender, the
// text and the recipients as numbers with country code, the shape Danish gateways (e.g. GatewayAPI) take. Plain
// fetch, no SDK.

export interface OutgoingSms {
  /** +45 and 8 digits. */
  to: string;
  text: string;
  /** Our reference for the message (the outbox id): a gateway that sees it twice can drop the second. */
  reference: string;
}

export interface SmsSender {
  describe: string;
  send(sms: OutgoingSms): Promise<void>;
}

export const SMS_SENDER_NAME = 'Familiecen';
const TIMEOUT_MS = 15_000;

export function createSmsSender(url: string | undefined, token: string | undefined): SmsSender | null {
  if (!url || url.trim() === '') return null;
  const endpoint = new URL(url.trim());
  return {
    describe: `${endpoint.protocol}//${endpoint.host}${endpoint.pathname}`,
    async send(sms) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Token ${token}` } : {}),
        },
        body: JSON.stringify({
          sender: SMS_SENDER_NAME,
          message: sms.text,
          recipients: [{ msisdn: Number(sms.to.replace(/^\+/, '')) }],
          userref: sms.reference,
        }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) {
        const detail = (await response.text().catch(() => '')).slice(0, 200);
        throw new Error(`SMS-gatewayen svarede ${response.status}${detail ? `: ${detail}` : ''}`);
      }
    },
  };
}
