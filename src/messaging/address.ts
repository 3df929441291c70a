// Address rules for the Messages API: E.164 numbers and alphanumeric sender IDs.

/** E.164: "+", a non-zero country-code digit, at most 15 digits in all. */
export function isE164(value: string): boolean {
  return /^\+[1-9][0-9]{1,14}$/.test(value);
}

/**
 * An alphanumeric sender ID as carriers accept it: 1-11 characters of [A-Za-z0-9 ] with at least one letter
 * (a purely numeric string would be mistaken for a number).
 */
export function isAlphanumericSenderId(value: string): boolean {
  return /^[A-Za-z0-9 ]{1,11}$/.test(value) && /[A-Za-z]/.test(value) && value.trim() === value;
}
