// Correlating a receipt with the submit_sm_resp message_id. SMSCs disagree on the form: the cloudhopper
// real-world receipt has id:0059113978 in the text and receipted_message_id 38601fa (the same number in hex),
// spec §3.5. Callers look ids up in this order: exact forms first, then the hex/decimal reinterpretations.

/** Candidate stored ids for the given receipt ids (TLV first, then the text id), without duplicates. */
export function messageIdCandidates(ids: ReadonlyArray<string | null | undefined>): string[] {
  const exact = ids.filter((id): id is string => typeof id === 'string' && id !== '');
  const derived = exact.flatMap((id) => [...decimalAsHex(id), ...hexAsDecimal(id)]);
  return [...new Set([...exact, ...derived])];
}

function decimalAsHex(id: string): string[] {
  if (!/^\d{1,20}$/.test(id)) return [];
  const hex = BigInt(id).toString(16);
  return [hex, hex.toUpperCase()];
}

function hexAsDecimal(id: string): string[] {
  if (!/^[0-9a-fA-F]{1,16}$/.test(id)) return [];
  const decimal = BigInt(`0x${id}`).toString(10);
  // RestComm and many SMSCs zero-pad decimal ids to 10 digits.
  return [decimal, decimal.padStart(10, '0')];
}
