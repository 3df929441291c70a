// Twilio's default opt-out keywords (spec twilio-messaging-services.md §5.1) and the auto-replies. Pure. A body
// counts only when, trimmed, it is exactly one keyword, in any case ("STOP PLEASE" is not an opt-out).
export type OptOutType = 'STOP' | 'START' | 'HELP';

const KEYWORDS: Readonly<Record<OptOutType, readonly string[]>> = {
  STOP: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
  START: ['START', 'YES', 'UNSTOP'],
  HELP: ['HELP', 'INFO'],
};

/** The class of an inbound body, or null when it is not exactly a keyword. */
export function classifyKeyword(body: string): OptOutType | null {
  const word = body.trim().toUpperCase();
  for (const type of ['STOP', 'START', 'HELP'] as const) if (KEYWORDS[type].includes(word)) return type;
  return null;
}

/** Default replies: what Twilio's mean (texts of our own; Twilio's exact wording is not published). */
export function defaultReplies(): Record<OptOutType, string> {
  return {
    STOP: 'You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.',
    START: 'You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe.',
    HELP: 'Reply STOP to unsubscribe. Reply START to resubscribe. Msg&Data Rates May Apply.',
  };
}

export function keywordsOf(type: OptOutType): readonly string[] {
  return KEYWORDS[type];
}
