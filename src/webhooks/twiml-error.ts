/**
 * A TwiML problem, carrying Twilio's numeric code (spec twilio-messages-api.md §6.2). Fatal problems are thrown
 * as `TwimlError`; recoverable ones are returned as `TwimlWarning`s next to the parsed result, the way Twilio
 * logs a warning in its debugger and carries on.
 */
export class TwimlError extends Error {
  readonly code: number;

  constructor(code: number, message: string) {
    super(message);
    this.name = 'TwimlError';
    this.code = code;
  }
}

export interface TwimlWarning {
  code: number;
  message: string;
}

/** The Twilio codes this module produces. */
export const TWIML_CODES = {
  /** Invalid URL format (used for an unusable `<Redirect>` URL). */
  invalidUrl: 11100,
  /** Response body too large (> 64 kB). */
  bodyTooLarge: 11750,
  /** Document parse failure: not well-formed, or the root is not `<Response>`. */
  parseFailure: 12100,
  /** Schema validation warning: unknown attribute or nested element, stray text. */
  schemaWarning: 12200,
  /** Invalid Content-Type. */
  invalidContentType: 12300,
  invalidTo: 14101,
  invalidFrom: 14102,
  invalidBody: 14103,
  invalidMethod: 14104,
  invalidStatusCallback: 14105,
  /** Invalid verb for an SMS reply (anything but `<Message>` and `<Redirect>`). */
  invalidVerb: 14110,
} as const;
