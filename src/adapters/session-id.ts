/** A server session id as an integer; anything else is refused so it can never reach SQL text. */
export function numericSessionId(sessionId: string): number {
  if (!/^\d{1,10}$/.test(sessionId)) throw new Error(`not a server session id: ${JSON.stringify(sessionId)}`);
  return Number(sessionId);
}
